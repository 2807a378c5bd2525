import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../src/operator/key-table.ts';

const key = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1400 }) },
  fc.integer({ min: 0, max: 3000 }),
  fc.integer({ min: 0, max: 2 ** 32 }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(-0, NaN, 1.5, 2 ** 31, '1', 'a', ''),
);
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }) },
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('get' as const), key }),
);

describe('KeyTable', () => {
  it('behaves as a Map, whatever the keys (dense integers, sparse ones, others)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
        const table = new KeyTable<number>();
        const model = new Map<unknown, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            table.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            table.delete(o.key);
            model.delete(o.key);
          } else expect(table.get(o.key)).toBe(model.get(o.key));
          expect(table.size).toBe(model.size);
        }
        expect([...table.values()].sort()).toEqual([...model.values()].sort());
        for (const k of model.keys()) expect(table.get(k)).toBe(model.get(k));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });

  it('keeps a key that went to the Map there once the array has grown past it', () => {
    const table = new KeyTable<string>();
    table.set(5000, 'sparse'); // too far beyond the size for the array: Map
    for (let k = 0; k < 2000; k++) table.set(k, 'dense'); // grows the array up to and past 5000
    table.set(5000, 'updated');
    expect(table.size).toBe(2001);
    expect(table.get(5000)).toBe('updated');
    table.delete(5000);
    expect(table.get(5000)).toBeUndefined();
    expect(table.size).toBe(2000);
  });
});
