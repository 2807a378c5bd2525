import type { Expr } from './ast.js';
import { compileExpr, distinctKey, pathReader, toNumber, variablesOf, type Evaluator } from './expressions.js';

/**
 * Aggregates of a sliding window kept up to date as events enter and leave it, so that HAVING
 * costs O(1) per event instead of a pass over the window. Each gives exactly the value the
 * expression evaluator computes from the window's events (same null handling and DISTINCT keys);
 * MIN and MAX are recomputed from the events when asked.
 */
export interface WindowAggregates<E> {
  add(e: E): void;
  /** Removes the oldest event added and not yet removed (windows are first in, first out). */
  remove(e: E): void;
  /** `events` gives the window's events, for aggregates recomputed from them (called only then: it may copy). */
  value(index: number, events: () => readonly E[]): unknown;
}

type Call = Extract<Expr, { kind: 'call' }>;

/** One aggregate call's state: a WindowAggregates of one value (its `index` argument is ignored). */
type Accumulator<E> = WindowAggregates<E>;

/** A factory of per-window aggregate state for the given aggregate calls. */
export function windowAggregates<E>(calls: Call[], recompute: (index: number, events: readonly E[]) => unknown): () => WindowAggregates<E> {
  const makers = calls.map((call, index) => accumulator<E>(call, (events) => recompute(index, events)));
  // one aggregate (the common HAVING): the accumulator itself, with no dispatch per event
  if (makers.length === 1) return makers[0];
  return () => {
    const accs = makers.map((m) => m());
    return {
      add: (e) => {
        for (const a of accs) a.add(e);
      },
      remove: (e) => {
        for (const a of accs) a.remove(e);
      },
      value: (index, events) => accs[index].value(index, events),
    };
  };
}

function accumulator<E>(call: Call, recompute: (events: readonly E[]) => unknown): () => Accumulator<E> {
  const variable = variablesOf(call.arg)[0];
  const a = call.arg;
  let valueOf: (e: E) => unknown;
  if (a.kind === 'field' && a.variable === variable) {
    valueOf = pathReader(a.path); // the common case, e.g. DISTINCT(e1.extra_info.to_user)
  } else {
    const arg: Evaluator<E> = compileExpr<E>(a);
    let cur: E | undefined; // one environment, re-pointed at each event: no allocation per event
    const env = { current: (v: string) => (v === variable ? cur : undefined), events: () => (cur === undefined ? [] : [cur]) };
    valueOf = (e) => {
      cur = e;
      return arg(env);
    };
  }
  const present = (v: unknown) => v !== undefined && v !== null;
  switch (call.fn) {
    case 'COUNT':
      if (call.arg.kind === 'variable') {
        return () => {
          let n = 0;
          return { add: () => void n++, remove: () => void n--, value: () => n };
        };
      }
      return () => {
        let n = 0;
        return { add: (e) => void (present(valueOf(e)) && n++), remove: (e) => void (present(valueOf(e)) && n--), value: () => n };
      };
    case 'DISTINCT':
      // Each value maps to the position of its latest occurrence: adding is one Map.set (most
      // values in a window are new, so counting them would cost a get and a set), and a value
      // leaves when the occurrence that leaves is its latest. Relies on removal in arrival order.
      return () => new DistinctCount<E>(valueOf);
    case 'SUM':
    case 'AVG': {
      const avg = call.fn === 'AVG';
      return () => {
        let sum = 0;
        let n = 0;
        return {
          add: (e) => {
            const v = valueOf(e);
            if (!present(v)) return;
            sum += toNumber(v);
            n++;
          },
          remove: (e) => {
            const v = valueOf(e);
            if (!present(v)) return;
            sum -= toNumber(v);
            n--;
          },
          value: (_index, events) => (avg ? (n === 0 ? null : sum / n) : Number.isFinite(sum) ? sum : recompute(events())),
        };
      };
    }
    default:
      return () => ({ add: () => {}, remove: () => {}, value: (_index, events) => recompute(events()) });
  }
}

/** COUNT DISTINCT over a first-in-first-out window (see the DISTINCT case of accumulator). */
class DistinctCount<E> implements Accumulator<E> {
  private readonly latest = new Map<unknown, number>();
  private added = 0;
  private removed = 0;
  constructor(private readonly valueOf: (e: E) => unknown) {}
  add(e: E): void {
    const v = this.valueOf(e);
    if (v !== undefined && v !== null) this.latest.set(distinctKey(v), this.added++);
  }
  remove(e: E): void {
    const v = this.valueOf(e);
    if (v === undefined || v === null) return;
    const k = distinctKey(v);
    if (this.latest.get(k) === this.removed++) this.latest.delete(k);
  }
  value(): number {
    return this.latest.size;
  }
}
