import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistinctWindow, ValueIds } from '../src/distinct-count.ts';

/** What one window is asked to do: add a value, drop its oldest, or (rarely: windows must live to grow) be dropped and replaced. */
type Op = { window: number; kind: 'add'; value: unknown } | { window: number; kind: 'remove' | 'dispose' };

/** Values that collide in interesting ways: numbers and their text, NaN, -0 and 0, many distinct ones (tables grow). */
const value = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 20 }).map(String), fc.constantFrom(NaN, 0, -0, '', 'x'));

const op = fc.oneof(
  { weight: 30, arbitrary: fc.record({ window: fc.nat(3), kind: fc.constant('add' as const), value }) },
  { weight: 15, arbitrary: fc.record({ window: fc.nat(3), kind: fc.constant('remove' as const) }) },
  { weight: 1, arbitrary: fc.record({ window: fc.nat(3), kind: fc.constant('dispose' as const) }) },
);

describe('DistinctWindow', () => {
  it('counts the distinct values of a first-in-first-out window as a Set of them would, and releases every value id once the windows are gone', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops: Op[]) => {
        const ids = new ValueIds();
        const windows = [0, 1, 2, 3].map(() => new DistinctWindow(ids));
        const models: unknown[][] = [[], [], [], []];
        for (const o of ops) {
          const w = windows[o.window];
          const model = models[o.window];
          if (o.kind === 'add') {
            w.add(o.value);
            model.push(o.value);
          } else if (o.kind === 'remove') {
            if (model.length === 0) continue;
            w.removeOldest(model.shift());
          } else {
            w.dispose();
            windows[o.window] = new DistinctWindow(ids);
            models[o.window] = [];
          }
          expect(windows.map((x) => x.size)).toEqual(models.map((m) => new Set(m).size));
          // only values some window holds keep an id
          expect(ids.size).toBe(new Set(models.flat()).size);
        }
        for (const w of windows) w.dispose();
        expect(ids.size).toBe(0);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
