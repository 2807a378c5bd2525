import type { OutboxEntry, Storage } from '../storage/storage.js';

/**
 * A sink that delivers the outbox over the network, in outbox order, at least once: batches are
 * read after the sink's cursor and sent; the cursor moves past a batch only once `send` resolved,
 * and a failure is retried with exponential backoff (100 ms doubling to 30 s), forever. A batch
 * sent again after a failure or a crash is told apart by its outputs' ids.
 */
export abstract class BackgroundSink {
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    protected readonly storage: Storage,
    /** The sink's name for its cursor (its kind and address). */
    private readonly name: string,
    private readonly batch: number,
    protected readonly log: (message: string) => void = () => {},
  ) {}

  /** Sends one batch; resolves once the receiver took it, throws when it did not. */
  protected abstract send(rows: readonly OutboxEntry[]): Promise<void>;

  /** New outputs are in the outbox: delivers them (soon, in the background). */
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

  /** Stops retrying and waits for a send in flight; what is left is delivered after the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let wait = 100;
    while (!this.closed) {
      const rows = this.storage.outputsAfter(this.storage.sinkCursor(this.name), this.batch);
      if (rows.length === 0) return;
      try {
        await this.send(rows);
        this.storage.setSinkCursor(this.name, rows[rows.length - 1].seq);
        wait = 100;
        continue;
      } catch (e) {
        this.log(`${this.name}: ${(e as Error).message}; retrying in ${wait} ms`);
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
