import { RecordLayout, type Records } from './chain-records.js';
import { ChainState } from './chain-state.js';

/** Plain-data form of one key's ChainNFA state. */
export interface ChainStateSnapshot {
  readonly kind: 'chain';
  readonly runs: RunSnapshot[];
  readonly completed: RunSnapshot[] | null;
}

/** [start ts, events taken, [ts, ord] of each event or null (no skip strategy)] */
type RunSnapshot = [number, unknown[], number[] | null];

/** The state of a chain of `length` stages; records carry marks under a skip strategy. */
export function snapshotChainState<E>(s: ChainState<E>, length: number, withMarks: boolean): ChainStateSnapshot {
  const layout = new RecordLayout<E>(length, withMarks);
  const runs = (records: Records): RunSnapshot[] => {
    const out: RunSnapshot[] = [];
    for (let at = 0; at < records.length; at += layout.size) {
      const taken = Array.from({ length: layout.stage(records, at) }, (_, i) => i);
      const marks = withMarks ? taken.flatMap((i) => [layout.mark(records, at, i).timestamp, layout.mark(records, at, i).id]) : null;
      out.push([layout.startTs(records, at), taken.map((i) => layout.event(records, at, i)), marks]);
    }
    return out;
  };
  return { kind: 'chain', runs: runs(s.runs), completed: s.completed === null ? null : runs(s.completed) };
}

export function restoreChainState<E>(data: unknown, length: number, withMarks: boolean): ChainState<E> {
  const d = data as ChainStateSnapshot;
  if (d?.kind !== 'chain' || !Array.isArray(d.runs)) throw new TypeError('restore: the key state was not taken from this pattern (was the pattern changed?)');
  const records = (runs: RunSnapshot[]): Records => {
    const out: Records = [];
    for (const [startTs, events, marks] of runs) {
      const stage = events.length;
      if (stage === 0 || stage > length || (marks === null) === withMarks || (marks !== null && marks.length !== 2 * stage)) {
        throw new TypeError('restore: a run does not fit this pattern (was the pattern changed?)');
      }
      out.push(stage, startTs, ...events);
      for (let i = stage; i < length; i++) out.push(undefined);
      if (marks !== null) {
        out.push(...marks);
        for (let i = stage; i < length; i++) out.push(0, 0);
      }
    }
    return out;
  };
  const s = new ChainState<E>();
  s.runs = records(d.runs);
  s.completed = d.completed === null ? null : records(d.completed);
  return s;
}
