import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Storage } from '../storage/storage.js';

/**
 * Server-Sent Events of the outbox: each output is an event whose id is its outbox position, so a
 * client that reconnects with Last-Event-ID resumes after the last output it saw.
 */
export class OutputStream {
  private readonly news = new EventEmitter();
  private readonly open = new Set<() => void>();

  constructor(private readonly storage: Storage) {
    this.news.setMaxListeners(0);
  }

  /** New outputs are in the outbox. */
  notify(): void {
    this.news.emit('outputs');
  }

  stream(req: FastifyRequest, reply: FastifyReply, after: number): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': cepheus outputs\n\n');
    let cursor = after;
    let writing = false;
    const pump = () => {
      if (writing) return;
      writing = true;
      try {
        for (;;) {
          const rows = this.storage.outputsAfter(cursor, 500);
          if (rows.length === 0) break;
          for (const r of rows) res.write(`id: ${r.seq}\nevent: output\ndata: ${JSON.stringify(r)}\n\n`);
          cursor = rows[rows.length - 1].seq;
        }
      } finally {
        writing = false;
      }
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const close = () => {
      clearInterval(heartbeat);
      this.news.off('outputs', pump);
      this.open.delete(close);
      res.end();
    };
    this.news.on('outputs', pump);
    this.open.add(close);
    req.raw.on('close', close);
    pump();
  }

  /** Ends every open stream (shutdown). */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}
