import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import type { Storage } from '../storage/storage.js';

export interface NatsOptions {
  /** Server URLs, comma-separated (nats://host:port). */
  readonly servers: string;
  readonly subject: string;
  /** A JetStream stream to create on the subject if it is missing. */
  readonly stream?: string;
  readonly log?: (message: string) => void;
}

/**
 * Publishes the outbox to a NATS JetStream subject, in outbox order, at least once: each output is
 * one message (`{"seq", "id", "rule", "version", "event"}`) with Nats-Msg-Id set to its id, so the
 * stream drops a message sent again within its duplicate window; the cursor moves past an output
 * only once JetStream acknowledged it. Failures are retried with backoff, reconnecting as needed.
 */
export class NatsSink {
  private readonly name: string;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly options: NatsOptions,
  ) {
    this.name = `nats:${options.servers}:${options.subject}`;
  }

  deliver(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.deliver();
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
    await this.nc?.drain().catch(() => {});
  }

  private async client(): Promise<JetStreamClient> {
    if (this.js !== undefined && this.nc !== undefined && !this.nc.isClosed()) return this.js;
    this.nc = await connect({ servers: this.options.servers.split(','), reconnect: true, maxReconnectAttempts: -1 });
    if (this.options.stream !== undefined) {
      const jsm = await this.nc.jetstreamManager();
      const exists = await jsm.streams.info(this.options.stream).then(
        () => true,
        () => false,
      );
      if (!exists) await jsm.streams.add({ name: this.options.stream, subjects: [this.options.subject] });
    }
    this.js = this.nc.jetstream();
    return this.js;
  }

  private async loop(): Promise<void> {
    const encoder = new TextEncoder();
    let wait = 100;
    while (!this.closed) {
      const rows = this.storage.outputsAfter(this.storage.sinkCursor(this.name), 100);
      if (rows.length === 0) return;
      try {
        const js = await this.client();
        for (const r of rows) {
          await js.publish(this.options.subject, encoder.encode(JSON.stringify(r)), { msgID: r.id });
          this.storage.setSinkCursor(this.name, r.seq);
        }
        wait = 100;
        continue;
      } catch (e) {
        this.options.log?.(`NATS ${this.options.servers} ${this.options.subject}: ${(e as Error).message}; retrying in ${wait} ms`);
        this.js = undefined;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wait = Math.min(wait * 2, 30_000);
    }
  }
}
