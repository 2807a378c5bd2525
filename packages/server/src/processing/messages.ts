import type { Synchronous } from '../storage/sqlite-storage.js';
import type { Commit } from './processor.js';

/** What the processing thread starts from. */
export interface ProcessingSetup {
  readonly data: string;
  readonly synchronous: Synchronous;
  readonly outOfOrdernessMs: number;
  readonly checkpointEvery: number;
}

/** Where processing stands. */
export interface Progress {
  /** The log position processed up to. */
  readonly processed: number;
  readonly watermark: number;
  /** The latest event time applied (-Infinity: none yet). */
  readonly maxEventTime: number;
}

/** Keys with state and partial matches, per running rule. */
export interface StateCounts {
  readonly keys: Map<string, number>;
  readonly partialMatches: Map<string, number>;
}

export type ToWorker =
  /** The log has new entries. */
  | { readonly type: 'notify' }
  /** The commits up to this position are in the storage. */
  | { readonly type: 'committed'; readonly processed: number }
  | { readonly type: 'counts'; readonly id: number }
  /** Process what the log holds, commit with a checkpoint, and say so. */
  | { readonly type: 'close' };

export type FromWorker =
  /** Set up: the last checkpoint is restored. */
  | { readonly type: 'started'; readonly progress: Progress }
  /** A step to commit, and where processing stands after it. */
  | { readonly type: 'commit'; readonly commit: Commit; readonly progress: Progress }
  | { readonly type: 'counts'; readonly id: number; readonly counts: StateCounts }
  /** Everything is processed and sent. */
  | { readonly type: 'closed' };
