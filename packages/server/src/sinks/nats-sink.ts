import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import type { OutboxEntry, Storage } from '../storage/storage.js';
import { BackgroundSink } from './background-sink.js';

export interface NatsOptions {
  /** Server URLs, comma-separated (nats://host:port). */
  readonly servers: string;
  readonly subject: string;
  /** A JetStream stream to create on the subject if it is missing. */
  readonly stream?: string;
  readonly log?: (message: string) => void;
}

/**
 * Publishes the outbox to a NATS JetStream subject (see BackgroundSink): each output is one
 * message (`{"seq", "id", "rule", "version", "event"}`) with Nats-Msg-Id set to its id, so the
 * stream drops a message sent again within its duplicate window; a batch is taken once JetStream
 * acknowledged each of its messages.
 */
export class NatsSink extends BackgroundSink {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private readonly encoder = new TextEncoder();

  constructor(
    storage: Storage,
    private readonly options: NatsOptions,
  ) {
    super(storage, `nats:${options.servers}:${options.subject}`, 100, options.log);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.nc?.drain().catch(() => {});
  }

  protected async send(rows: readonly OutboxEntry[]): Promise<void> {
    try {
      const js = await this.client();
      for (const r of rows) await js.publish(this.options.subject, this.encoder.encode(JSON.stringify(r)), { msgID: r.id });
    } catch (e) {
      this.js = undefined; // connect again on the next try
      throw e;
    }
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
}
