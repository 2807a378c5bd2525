import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTimeBuffer } from '../src/index.ts';

type Ev = { id: number; ts: number; p: number };

/** Adds and releases, as the operator and the rule engine make them. */
const ops = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ add: fc.constant(true as const), ts: fc.integer({ min: 0, max: 40 }), p: fc.integer({ min: 0, max: 2 }) }) },
    // a batch in order, as a batch that overtook another or was overtaken
    { weight: 1, arbitrary: fc.record({ batch: fc.integer({ min: 0, max: 40 }), n: fc.integer({ min: 1, max: 12 }) }) },
    { weight: 1, arbitrary: fc.record({ release: fc.integer({ min: 0, max: 45 }), before: fc.boolean() }) },
  ),
  { maxLength: 120 },
);

describe('EventTimeBuffer', () => {
  it.each([false, true])('releases what a stable sort by time (then by the comparator: %s) releases', (withComparator) => {
    fc.assert(
      fc.property(ops, (list) => {
        const comparator = withComparator ? (a: Ev, b: Ev) => a.p - b.p : undefined;
        const buffer = new EventTimeBuffer<Ev>(comparator);
        let held: Ev[] = [];
        let id = 0;
        const add = (ts: number, p: number) => {
          const e = { id: id++, ts, p };
          buffer.add(ts, e);
          held.push(e);
        };
        for (const op of list) {
          if ('add' in op) add(op.ts, op.p);
          else if ('batch' in op) for (let i = 0; i < op.n; i++) add(op.batch + i, 0);
          else {
            // the plain way: a stable sort of everything held (Array.prototype.sort is stable)
            const sorted = [...held].sort((a, b) => a.ts - b.ts || (comparator ? comparator(a, b) : 0));
            const due = sorted.filter((e) => e.ts < op.release || (!op.before && e.ts === op.release));
            expect(buffer.entries().map((x) => x.event.id)).toEqual(sorted.map((e) => e.id));
            expect(buffer.peekTime()).toBe(sorted[0]?.ts ?? Infinity);
            const got: number[] = [];
            buffer.release(
              op.release,
              (e, ts) => {
                expect(ts).toBe(e.ts);
                got.push(e.id);
              },
              op.before,
            );
            expect(got).toEqual(due.map((e) => e.id));
            held = sorted.slice(due.length);
            expect(buffer.size).toBe(held.length);
          }
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });
});
