import type { NewBatch, Storage } from '../storage/storage.js';

interface Pending {
  readonly batch: NewBatch;
  /** Requests waiting for it; `repeat`: one that came with the same idempotency key. */
  readonly waiters: { resolve: (firstAnswer: string | undefined) => void; reject: (e: unknown) => void; repeat: boolean }[];
}

/**
 * Group commit: the batches of requests that arrive together (in one turn of the event loop) are
 * appended in one durable transaction, so several batches in flight share one sync. A request is
 * answered only once its batch is in the log. Two requests with one idempotency key in one group
 * append once: the second gets the first one's answer, as it would once the first is stored.
 */
export class LogAppender {
  private pending: Pending[] = [];
  private byKey = new Map<string, Pending>();
  private scheduled = false;

  constructor(private readonly storage: Storage) {}

  /** Resolves once the batch is in the log: with undefined, or with the first answer when an earlier request of the group had its idempotency key. */
  append(batch: NewBatch): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const key = batch.idempotency?.key;
      const same = key === undefined ? undefined : this.byKey.get(key);
      if (same !== undefined) {
        same.waiters.push({ resolve, reject, repeat: true });
        return;
      }
      const p: Pending = { batch, waiters: [{ resolve, reject, repeat: false }] };
      this.pending.push(p);
      if (key !== undefined) this.byKey.set(key, p);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    const group = this.pending;
    this.pending = [];
    this.byKey.clear();
    this.scheduled = false;
    try {
      this.storage.appendEvents(group.map((p) => p.batch));
    } catch (e) {
      for (const p of group) for (const w of p.waiters) w.reject(e);
      return;
    }
    for (const p of group) for (const w of p.waiters) w.resolve(w.repeat ? p.batch.idempotency?.answer : undefined);
  };
}
