import type { KeyState } from '../matcher.js';

/**
 * One run: the events taken so far (run.events.length is the stage it waits in). Runs never
 * share events, so they own them outright and advance in place.
 */
export class Run<E> {
  constructor(
    readonly startTs: number,
    /** Order of the start event among the key's events (Flink's EventId within equal timestamps). */
    readonly startOrd: number,
    readonly events: E[],
    /** [timestamp, ord] of every taken event; kept only for skip strategies, which prune by event. */
    readonly marks: number[] | null,
  ) {}
}

/** The matching state of one key for a ChainNFA. */
export class ChainState<E> implements KeyState {
  /** Runs in progress, ordered by start event (Flink's partial-match order). */
  runs: Run<E>[] = [];
  /** Completed runs held back by a skip strategy until no earlier run can finish first. */
  completed: Run<E>[] | null = null;
  /** Events this key has processed: orders events of equal timestamp, as Flink's event ids do. */
  ord = 0;
  deadline = Infinity;
  changed = false;
  key: unknown = undefined;
  seq = 0;
  scheduled = Infinity;

  isIdle(): boolean {
    return this.runs.length === 0 && this.completed === null;
  }
}
