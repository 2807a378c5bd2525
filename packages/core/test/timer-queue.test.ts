import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerQueue } from '../src/time/timer-queue.ts';

describe('TimerQueue', () => {
  it('pops timers in (time, tie) order whatever the insertion order, interleaved with polls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ time: fc.integer({ min: 0, max: 50 }), tie: fc.integer({ min: 0, max: 5 }) }), fc.constant('poll' as const)), { maxLength: 200 }),
        (ops) => {
          const q = new TimerQueue<string>();
          const model: { time: number; tie: number; id: string }[] = [];
          ops.forEach((op, i) => {
            if (op === 'poll') {
              if (model.length === 0) return;
              const min = model.reduce((a, b) => (b.time < a.time || (b.time === a.time && b.tie < a.tie) ? b : a));
              expect(q.peekTime()).toBe(min.time);
              // timers with equal (time, tie) may come in either order: compare their keys
              const got = q.poll();
              const idx = model.findIndex((m) => m.id === got);
              expect(idx).toBeGreaterThanOrEqual(0);
              expect([model[idx].time, model[idx].tie]).toEqual([min.time, min.tie]);
              model.splice(idx, 1);
            } else {
              const id = `${op.time}/${op.tie}/${i}`;
              q.add(op.time, op.tie, id);
              model.push({ ...op, id });
            }
            expect(q.size).toBe(model.length);
          });
        },
      ),
    );
  });
});
