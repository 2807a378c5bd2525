import type { Expr } from './ast.js';
import { DistinctWindow, ValueIds } from './distinct-count.js';
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
  /** The window is dropped: releases what it shares with the other windows of its maker. */
  dispose(): void;
  /**
   * What re-adding the window's events would not give back exactly, for a snapshot: the running
   * sums (floating-point residue of the events that left). Counts and distinct values are rebuilt.
   */
  state(): unknown;
  /** Sets what state() gave, after the window's events were added again. */
  restoreState(state: unknown): void;
}

/** Makes the aggregates of one window; the windows of one maker share state (DISTINCT's value ids). */
export type WindowAggregatesMaker<E> = () => WindowAggregates<E>;

type Call = Extract<Expr, { kind: 'call' }>;

/** One aggregate call's state: a WindowAggregates of one value (its `index` argument is ignored). */
type Accumulator<E> = WindowAggregates<E>;

/**
 * Aggregate state for the given aggregate calls: returns a function that creates a maker of
 * per-window aggregates. Each runner calls it once, so runners share nothing and the windows of
 * one runner share their value ids.
 */
export function windowAggregates<E>(calls: Call[], recompute: (index: number, events: readonly E[]) => unknown): () => WindowAggregatesMaker<E> {
  const kinds = calls.map((call, index) => accumulator<E>(call, (events) => recompute(index, events)));
  return () => {
    const makers = kinds.map((kind) => kind());
    // one aggregate (the common HAVING): the accumulator itself, with no dispatch per event
    return makers.length === 1 ? makers[0] : combined(makers);
  };
}

function combined<E>(makers: WindowAggregatesMaker<E>[]): WindowAggregatesMaker<E> {
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
      dispose: () => {
        for (const a of accs) a.dispose();
      },
      state: () => accs.map((a) => a.state()),
      restoreState: (state) => {
        for (let i = 0; i < accs.length; i++) accs[i].restoreState((state as unknown[])[i]);
      },
    };
  };
}

/** One call's accumulators: per runner, a maker of per-window accumulators. */
function accumulator<E>(call: Call, recompute: (events: readonly E[]) => unknown): () => WindowAggregatesMaker<E> {
  const variable = variablesOf(call.arg)[0];
  const a = call.arg;
  let valueFor: (e: E) => unknown;
  if (a.kind === 'field' && a.variable === variable) {
    valueFor = pathReader(a.path); // the common case, e.g. DISTINCT(e1.extra_info.to_user)
  } else {
    const arg: Evaluator<E> = compileExpr<E>(a);
    let cur: E | undefined; // one environment, re-pointed at each event: no allocation per event
    const env = { current: (v: string) => (v === variable ? cur : undefined), events: () => (cur === undefined ? [] : [cur]) };
    valueFor = (e) => {
      cur = e;
      return arg(env);
    };
  }
  const present = (v: unknown) => v !== undefined && v !== null;
  switch (call.fn) {
    case 'COUNT':
      if (call.arg.kind === 'variable') {
        return () => () => {
          let n = 0;
          return { add: () => void n++, remove: () => void n--, value: () => n, dispose: () => {}, ...REBUILT };
        };
      }
      return () => () => {
        let n = 0;
        return { add: (e) => void (present(valueFor(e)) && n++), remove: (e) => void (present(valueFor(e)) && n--), value: () => n, dispose: () => {}, ...REBUILT };
      };
    case 'DISTINCT':
      return () => {
        const ids = new ValueIds();
        return () => new DistinctCount<E>(valueFor, new DistinctWindow(ids));
      };
    case 'SUM':
    case 'AVG': {
      const avg = call.fn === 'AVG';
      return () => () => {
        let sum = 0;
        let n = 0;
        return {
          dispose: () => {},
          add: (e) => {
            const v = valueFor(e);
            if (!present(v)) return;
            sum += toNumber(v);
            n++;
          },
          remove: (e) => {
            const v = valueFor(e);
            if (!present(v)) return;
            sum -= toNumber(v);
            n--;
          },
          value: (_index, events) => (avg ? (n === 0 ? null : sum / n) : Number.isFinite(sum) ? sum : recompute(events())),
          // the sum as text: it round-trips exactly through JSON, infinities and NaN included
          state: () => [String(sum), n],
          restoreState: (state) => {
            const [text, count] = state as [string, number];
            sum = Number(text);
            n = count;
          },
        };
      };
    }
    default:
      return () => () => ({ add: () => {}, remove: () => {}, value: (_index, events) => recompute(events()), dispose: () => {}, ...REBUILT });
  }
}

/** COUNT DISTINCT: the window's values (objects by their JSON text, as the evaluator compares them). */
class DistinctCount<E> implements Accumulator<E> {
  constructor(
    private readonly valueFor: (e: E) => unknown,
    private readonly window: DistinctWindow,
  ) {}
  add(e: E): void {
    const v = this.valueFor(e);
    if (v !== undefined && v !== null) this.window.add(distinctKey(v));
  }
  remove(e: E): void {
    const v = this.valueFor(e);
    if (v !== undefined && v !== null) this.window.removeOldest(distinctKey(v)); // windows remove in arrival order
  }
  value(): number {
    return this.window.size;
  }
  dispose(): void {
    this.window.dispose();
  }
  state(): unknown {
    return null;
  }
  restoreState(): void {}
}

/** The snapshot part of accumulators that re-adding the events rebuilds exactly. */
const REBUILT = { state: (): unknown => null, restoreState: (): void => {} };
