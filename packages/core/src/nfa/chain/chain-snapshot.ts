import { ChainState, Run } from './chain-state.js';

/** Plain-data form of one key's ChainNFA state. */
export interface ChainStateSnapshot {
  readonly kind: 'chain';
  readonly ord: number;
  /** [start ts, start ord, events, marks or null] */
  readonly runs: RunSnapshot[];
  readonly completed: RunSnapshot[] | null;
}

type RunSnapshot = [number, number, unknown[], number[] | null];

export function snapshotChainState<E>(s: ChainState<E>): ChainStateSnapshot {
  const run = (r: Run<E>): RunSnapshot => [r.startTs, r.startOrd, [...r.events], r.marks === null ? null : [...r.marks]];
  return { kind: 'chain', ord: s.ord, runs: s.runs.map(run), completed: s.completed === null ? null : s.completed.map(run) };
}

/** Restores a snapshot for a chain of `length` stages; marks are required by skip strategies. */
export function restoreChainState<E>(data: unknown, length: number, withMarks: boolean): ChainState<E> {
  const d = data as ChainStateSnapshot;
  if (d?.kind !== 'chain') throw new TypeError('restore: the key state was not taken from this pattern (was the pattern changed?)');
  const run = ([startTs, startOrd, events, marks]: RunSnapshot): Run<E> => {
    if (events.length === 0 || events.length > length || (marks === null) === withMarks) {
      throw new TypeError('restore: a run does not fit this pattern (was the pattern changed?)');
    }
    return new Run<E>(startTs, startOrd, [...events] as E[], marks === null ? null : [...marks]);
  };
  const s = new ChainState<E>();
  s.ord = d.ord;
  s.runs = d.runs.map(run);
  s.completed = d.completed === null ? null : d.completed.map(run);
  return s;
}
