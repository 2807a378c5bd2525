import { createHmac } from 'node:crypto';
import type { OutboxEntry, Storage } from '../storage/storage.js';
import { BackgroundSink } from './background-sink.js';

export interface WebhookOptions {
  readonly url: string;
  /** Signs each body: header Cepheus-Signature: sha256=HEX of HMAC-SHA256(secret, body). */
  readonly secret?: string;
  readonly log?: (message: string) => void;
}

/**
 * Delivers the outbox to an HTTP endpoint (see BackgroundSink): each request is a POST of
 * `{"outputs": [{"seq", "id", "rule", "version", "event"}]}` (up to 100), taken on a 2xx answer.
 */
export class WebhookSink extends BackgroundSink {
  constructor(
    storage: Storage,
    private readonly options: WebhookOptions,
  ) {
    super(storage, `webhook:${options.url}`, 100, options.log);
  }

  protected async send(rows: readonly OutboxEntry[]): Promise<void> {
    const body = JSON.stringify({ outputs: rows });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cepheus-first-seq': String(rows[0].seq) };
    if (this.options.secret !== undefined) headers['cepheus-signature'] = `sha256=${createHmac('sha256', this.options.secret).update(body).digest('hex')}`;
    const res = await fetch(this.options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer().catch(() => {});
    if (!res.ok) throw new Error(`answered ${res.status}`);
  }
}
