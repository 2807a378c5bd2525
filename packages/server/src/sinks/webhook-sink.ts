import { createHmac } from 'node:crypto';
import type { Storage } from '../storage/storage.js';

export interface WebhookOptions {
  readonly url: string;
  /** Signs each body: header Cepheus-Signature: sha256=HEX of HMAC-SHA256(secret, body). */
  readonly secret?: string;
  /** Outputs per request. */
  readonly batch?: number;
  /** First and longest wait between attempts, in ms (doubling in between). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * Delivers the outbox to an HTTP endpoint, in outbox order, at least once: each request is a POST
 * of `{"outputs": [{"seq", "id", "rule", "version", "event"}]}`, and the cursor moves past its
 * outputs only after a 2xx answer. A failure (no answer, or any other status) is retried with
 * exponential backoff, forever: a receiver that was down gets everything when it is back, and
 * tells repeats apart by id.
 */
export class WebhookSink {
  private readonly name: string;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly options: WebhookOptions,
  ) {
    this.name = `webhook:${options.url}`;
  }

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

  /** Stops retrying; waits for a request in flight. What is not delivered is delivered after the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const batch = this.options.batch ?? 100;
    let wait = this.options.retryMs ?? 100;
    while (!this.closed) {
      const cursor = this.storage.sinkCursor(this.name);
      const rows = this.storage.outputsAfter(cursor, batch);
      if (rows.length === 0) return;
      const body = JSON.stringify({ outputs: rows });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'cepheus-first-seq': String(rows[0].seq) };
      if (this.options.secret !== undefined) headers['cepheus-signature'] = `sha256=${createHmac('sha256', this.options.secret).update(body).digest('hex')}`;
      let ok = false;
      try {
        const res = await fetch(this.options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer().catch(() => {});
        ok = res.ok;
        if (!ok) this.options.log?.(`webhook ${this.options.url} answered ${res.status}; retrying in ${wait} ms`);
      } catch (e) {
        this.options.log?.(`webhook ${this.options.url} failed (${(e as Error).message}); retrying in ${wait} ms`);
      }
      if (this.closed) return;
      if (ok) {
        this.storage.setSinkCursor(this.name, rows[rows.length - 1].seq);
        wait = this.options.retryMs ?? 100;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wait = Math.min(wait * 2, this.options.maxRetryMs ?? 30_000);
    }
  }
}
