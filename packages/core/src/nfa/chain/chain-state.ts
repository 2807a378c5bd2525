import type { KeyState } from '../matcher.js';

/**
 * The matching state of one key for a ChainNFA. Runs are kept as fixed-size records in one flat
 * array, so that a key's whole state is two objects: with many keys the per-event cost is the
 * memory touched, not the computation. A record of a chain of L stages is
 *
 *   [stage, startTs, event 0 .. event L-1, (ts, ord) of event 0 .. event L-1]
 *
 * where `stage` is the number of events taken (the stage the run waits in), unused event slots
 * hold undefined, and the (ts, ord) marks are present only under a skip strategy, which prunes
 * runs by comparing events (ord orders events of equal timestamp, as Flink's event ids do).
 */
export class ChainState<E> implements KeyState {
  /** Runs in progress, ordered by start event (Flink's partial-match order). */
  runs: unknown[] = [];
  /** Completed runs held back by a skip strategy until no earlier run can finish first. */
  completed: unknown[] | null = null;
  /** Bit min(i, MASK_BITS) set: some run waits in stage i. */
  occupied = 0;
  // the operator's part, declared here rather than inherited from KeyStateBase: the runtime's
  // fields come first (W1, many keys and memory-bound, ran a few percent slower with the base
  // class's order in side-by-side runs)
  deadline = Infinity;
  changed = false;
  key: unknown = undefined;
  seq = 0;
  scheduled = Infinity;
  /** Exists only so that E is part of the type. */
  declare private readonly _events?: E;

  isIdle(): boolean {
    return this.runs.length === 0 && this.completed === null;
  }
}
