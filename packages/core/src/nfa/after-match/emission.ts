import type { EventMark } from '../event-order.js';
import type { Match } from '../matcher.js';
import type { AfterMatchSkipStrategy, MatchEntries } from './skip-strategy.js';

/**
 * A key's runs as emission sees them: completed runs waiting to be emitted, earliest first, and
 * the partial runs still in progress. Each runtime implements it over its own run storage.
 */
export interface RunQueue<R, E> {
  /** The earliest-started completed run, or undefined when none waits. */
  nextCompleted(): R | undefined;
  /** Removes the run nextCompleted gave; its handle stays valid until the next prune. */
  takeCompleted(): void;
  /** Whether a partial run that started before `run` is still in progress (it could complete first). */
  startedEarlier(run: R): boolean;
  /** The run's events as marks, by pattern name in pattern order (what a skip strategy reads). */
  marks(run: R): MatchEntries;
  /** Removes every run, partial or completed, whose start `pruned` discards. */
  prune(pruned: (start: EventMark) => boolean): void;
  /** The run's events by pattern name, as a match. */
  materialize(run: R): Match<E>;
}

/**
 * Emits a key's completed runs in start order under a skip strategy (Flink's
 * processMatchesAccordingToSkipStrategy): a match waits while an earlier-started partial run could
 * still complete before it, and each emitted match prunes the runs, partial and completed, that its
 * pruning event makes obsolete. (Without a skip strategy nothing waits or prunes: the runtimes emit
 * their completed runs in order themselves.)
 */
export function emitInStartOrder<R, E>(skip: AfterMatchSkipStrategy, runs: RunQueue<R, E>, out: Match<E>[]): void {
  for (let run = runs.nextCompleted(); run !== undefined; run = runs.nextCompleted()) {
    if (runs.startedEarlier(run)) return;
    out.push(runs.materialize(run));
    runs.takeCompleted();
    const pruning = skip.pruningEvent(runs.marks(run));
    if (pruning !== undefined) runs.prune((start) => skip.shouldPrune(start, pruning));
  }
}
