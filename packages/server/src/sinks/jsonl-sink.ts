import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { Storage } from '../storage/storage.js';

/**
 * Delivers the outbox to a JSONL file, one output per line (`{"seq", "id", "rule", "version",
 * "event"}`), in outbox order, at least once: a line is written and synced before the sink's
 * cursor moves past it, so a crash in between writes it again on restart (same id).
 */
export class JsonlSink {
  private readonly fd: number;
  private readonly name: string;

  constructor(
    private readonly storage: Storage,
    readonly path: string,
  ) {
    this.fd = openSync(path, 'a');
    this.name = `jsonl:${path}`;
  }

  /** Writes what the outbox holds beyond the cursor. */
  deliver(): void {
    let cursor = this.storage.sinkCursor(this.name);
    for (;;) {
      const rows = this.storage.outputsAfter(cursor, 1000);
      if (rows.length === 0) return;
      writeSync(this.fd, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      fsyncSync(this.fd);
      cursor = rows[rows.length - 1].seq;
      this.storage.setSinkCursor(this.name, cursor);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
