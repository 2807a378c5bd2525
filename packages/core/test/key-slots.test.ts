import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySlots } from '../src/operator/key-slots.ts';

const key = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1400 }) },
  fc.integer({ min: 0, max: 3000 }),
  fc.integer({ min: 0, max: 2 ** 32 }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(-0, NaN, 1.5, 2 ** 31, '1', 'a', ''),
);
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), key, state: fc.integer(), timer: fc.integer() }) },
  fc.record({ kind: fc.constant('remove' as const), key }),
  fc.record({ kind: fc.constant('get' as const), key }),
);

describe('KeySlots', () => {
  it('keeps each key with its state, creation order and timer, whatever the keys (dense integers, sparse ones, others)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
        const slots = new KeySlots<number>();
        const model = new Map<unknown, { state: number; seq: number; timer: number }>();
        let seq = 0;
        const check = (k: unknown) => {
          const slot = slots.slotOf(k);
          const m = model.get(k);
          if (m === undefined) return expect(slot).toBeUndefined();
          expect(slot).toBeDefined();
          expect([slots.state(slot!), slots.seq(slot!), slots.scheduled(slot!)]).toEqual([m.state, m.seq, m.timer]);
          expect(Object.is(slots.key(slot!), k) || slots.key(slot!) === k).toBe(true);
        };
        for (const o of ops) {
          if (o.kind === 'add' && !model.has(o.key)) {
            const slot = slots.add(o.key, o.state, seq);
            expect(slots.scheduled(slot)).toBe(Infinity);
            slots.setScheduled(slot, o.timer);
            model.set(o.key, { state: o.state, seq: seq++, timer: o.timer });
          } else if (o.kind === 'remove' && model.has(o.key)) {
            const slot = slots.slotOf(o.key)!;
            slots.remove(slot);
            expect(slots.seq(slot)).toBe(-1); // its pending timers are stale
            model.delete(o.key);
          } else check(o.key);
          expect(slots.size).toBe(model.size);
        }
        for (const k of model.keys()) check(k);
        const inOrder = slots.inCreationOrder();
        expect(inOrder.map((s) => slots.seq(s))).toEqual([...model.values()].map((m) => m.seq));
        expect(new Set(inOrder).size).toBe(model.size);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });

  it('keeps a key that went to the Map there once the dense arrays have grown past it', () => {
    const slots = new KeySlots<string>();
    const far = slots.add(5000, 'sparse', 0); // too far beyond the size for the arrays: Map
    expect(far).toBeLessThan(0);
    for (let k = 0; k < 2000; k++) expect(slots.add(k, 'dense', k + 1)).toBe(k); // grows the arrays up to and past 5000
    expect(slots.size).toBe(2001);
    expect(slots.state(slots.slotOf(5000)!)).toBe('sparse');
    slots.remove(slots.slotOf(5000)!);
    expect(slots.slotOf(5000)).toBeUndefined();
    expect(slots.size).toBe(2000);
    expect(slots.add(5000, 'dense now', 9)).toBe(5000);
  });
});
