import type { KeyState } from '../matcher.js';
import type { Records } from './chain-records.js';

/**
 * The matching state of one key for a ChainNFA: its runs as records (see Records and
 * RecordLayout) in one flat array, so that a key's whole state is two objects.
 */
export class ChainState<E> implements KeyState {
  /** Runs in progress, ordered by start event (Flink's partial-match order). */
  runs: Records = [];
  /** Completed runs held back by a skip strategy until no earlier run can finish first. */
  completed: Records | null = null;
  /** Bit min(i, MASK_BITS) set: some run waits in stage i. */
  occupied = 0;
  deadline = Infinity;
  changed = false;
  /** Exists only so that E is part of the type. */
  declare private readonly _events?: E;

  isIdle(): boolean {
    return this.runs.length === 0 && this.completed === null;
  }
}
