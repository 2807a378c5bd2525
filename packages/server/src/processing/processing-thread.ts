import { Worker } from 'node:worker_threads';
import type { NewOutput, Storage } from '../storage/storage.js';
import type { FromWorker, ProcessingSetup, Progress, StateCounts, ToWorker } from './messages.js';
import type { Commit } from './processor.js';

export interface ProcessingThreadOptions {
  readonly setup: ProcessingSetup;
  /** The service's storage: the thread's commits are written there, on this side. */
  readonly storage: Storage;
  /** A commit added outputs or stored late events. */
  readonly onOutputs: (added: readonly NewOutput[], late: number) => void;
  /** Processing failed (the thread, or writing its commit); it starts again from the last checkpoint after `restartInMs`. */
  readonly onCrash: (error: Error, restartInMs: number) => void;
}

/** The last checkpoint written: characters of JSON, keys written or removed, time in ms (making it and writing it). */
export type CheckpointStats = { size: number; keys: number; ms: number };

// Run from the TypeScript sources (tests), the worker is the .ts file, loaded through tsx's loader
// (a worker does not take --import from execArgv, so a bootstrap registers it).
const source = import.meta.url.endsWith('.ts');
const workerFile = new URL(`./processing-worker.${source ? 'ts' : 'js'}`, import.meta.url);

function newWorker(workerData: ProcessingSetup): Worker {
  if (!source) return new Worker(workerFile, { workerData });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: ['--conditions=source'] });
}

/**
 * Processing, in a worker thread of its own (processing-worker.ts): the worker reads the log and
 * runs the rules; its commits (outputs, late events, position, checkpoints) come here and are
 * written by the service's storage connection, the only one that writes. This side knows where
 * processing stands as of its last commit. When the worker fails, or a commit cannot be written,
 * a new worker starts from the last checkpoint and replays the log after it (as a restart of the
 * service does, so no output is lost), after a delay that doubles up to 30 s.
 */
export class ProcessingThread {
  /** undefined while a failed worker waits to be started again. */
  private worker: Worker | undefined;
  private current: Progress = { processed: 0, watermark: -Infinity, maxEventTime: -Infinity };
  private checkpoint: CheckpointStats | undefined;
  private waiting: { target: number; resolve: () => void }[] = [];
  private queries = new Map<number, (counts: StateCounts) => void>();
  private nextQuery = 0;
  private closing: (() => void) | undefined;
  private closed: Promise<void> | undefined;
  private backoffMs = 1000;

  private constructor(private readonly options: ProcessingThreadOptions) {}

  /** Starts the thread; resolves once it has restored the last checkpoint (rejects when it could not). */
  static async start(options: ProcessingThreadOptions): Promise<ProcessingThread> {
    const thread = new ProcessingThread(options);
    await thread.launch();
    return thread;
  }

  /** A worker; resolves once it has restored the last checkpoint. Its messages are handled from the first. */
  private launch(): Promise<void> {
    const worker = newWorker(this.options.setup);
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        if (worker !== this.worker) return; // a worker given up on
        if (m.type !== 'started') this.onMessage(m);
        else {
          started = true;
          this.current = m.progress;
          resolve();
        }
      });
      worker.on('error', (error) => (started ? this.crashed(error) : reject(error)));
      worker.on('exit', (code) => {
        if (worker !== this.worker) return; // ended by this side, or failed already
        const error = new Error(`the processing thread exited (code ${code})`);
        if (started) this.crashed(error);
        else reject(error);
      });
    });
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'commit':
        this.write(m.commit, m.progress);
        return;
      case 'counts':
        this.queries.get(m.id)?.(m.counts);
        this.queries.delete(m.id);
        return;
      case 'closed':
        this.closing?.();
    }
  }

  private write(commit: Commit, progress: Progress): void {
    const t0 = performance.now();
    let added: NewOutput[];
    try {
      added = this.options.storage.addOutputs(commit.outputs, commit.late, commit.processed, commit.checkpoint);
    } catch (e) {
      this.crashed(e as Error);
      return;
    }
    if (commit.checkpointStats !== undefined) this.checkpoint = { ...commit.checkpointStats, ms: commit.checkpointStats.ms + performance.now() - t0 };
    this.current = progress;
    this.backoffMs = 1000;
    this.send({ type: 'committed', processed: commit.processed });
    if (added.length > 0 || commit.late.length > 0) this.options.onOutputs(added, commit.late.length);
    this.release();
  }

  private crashed(error: Error): void {
    const failed = this.worker;
    this.worker = undefined; // its later messages are ignored
    void failed?.terminate();
    if (this.closing !== undefined) {
      this.closing(); // it failed while closing: the next start replays what it did not commit
      return;
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(30_000, this.backoffMs * 2);
    this.options.onCrash(error, delay);
    const empty: StateCounts = { keys: new Map(), partialMatches: new Map() };
    for (const answer of this.queries.values()) answer(empty);
    this.queries.clear();
    setTimeout(
      () =>
        this.launch().then(
          () => this.notify(),
          (e: Error) => this.crashed(e),
        ),
      delay,
    ).unref();
  }

  private send(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private release(): void {
    if (this.waiting.length === 0) return;
    const processed = this.current.processed;
    const done = this.waiting.filter((w) => w.target <= processed);
    this.waiting = this.waiting.filter((w) => w.target > processed);
    for (const w of done) w.resolve();
  }

  get processed(): number {
    return this.current.processed;
  }

  get watermark(): number {
    return this.current.watermark;
  }

  get maxEventTime(): number {
    return this.current.maxEventTime;
  }

  get lastCheckpoint(): CheckpointStats | undefined {
    return this.checkpoint;
  }

  /** The log has new entries. */
  notify(): void {
    this.send({ type: 'notify' });
  }

  /** Resolves once the log is processed (and committed) up to its last position at the time of the call. */
  drained(): Promise<void> {
    const target = this.options.storage.lastSeq();
    if (this.current.processed >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push({ target, resolve });
      this.notify();
    });
  }

  /** Keys with state and partial matches per running rule, as the thread has them now. */
  counts(): Promise<StateCounts> {
    if (this.worker === undefined) return Promise.resolve({ keys: new Map(), partialMatches: new Map() }); // starting again
    const id = this.nextQuery++;
    return new Promise((resolve) => {
      this.queries.set(id, resolve);
      this.send({ type: 'counts', id });
    });
  }

  /** Processes what the log holds, commits a checkpoint and ends the thread (once; later calls wait for the first). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const closed = new Promise<void>((resolve) => {
        this.closing = resolve;
      });
      this.send({ type: 'close' });
      await closed;
      this.release();
      const worker = this.worker;
      this.worker = undefined;
      await worker?.terminate();
    })();
    return this.closed;
  }
}
