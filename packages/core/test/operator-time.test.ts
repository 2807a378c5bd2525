/**
 * Transcribed from Flink's CEPOperatorTest (testCEPOperatorComparatorProcessTime and
 * testCEPOperatorComparatorEventTime) and NFAIterativeConditionTimeContextTest: the event
 * comparator, and time in the condition context. Each runs on the runtime compile picks and on
 * the shared-buffer NFA.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CepOperator, EventTimeBuffer, field, Pattern, type CepOperatorOptions, type Match } from '../src/index.ts';
import { onGeneralNfa } from './arbitraries.ts';

type Ev = { id: number; name: string; price: number; type: 'Event' | 'SubEvent'; volume?: number };
const event = (id: number, name: string, price: number): Ev => ({ id, name, price, type: 'Event' });
const subEvent = (id: number, name: string, price: number, volume: number): Ev => ({ id, name, price, type: 'SubEvent', volume });

// Flink's NFAFactory in CEPOperatorTest
const pattern = () =>
  Pattern.begin<Ev>('start')
    .where(field('name').eq('start'))
    .followedByAny('middle')
    .where(field('type').eq('SubEvent'))
    .where((e) => (e.volume ?? 0) > 5)
    .followedByAny('end')
    .where(field('name').eq('end'))
    .within(10);

const byPrice = (a: Ev, b: Ev) => a.price - b.price;
/**
 * Where each case runs: the operator as built, and on the shared-buffer NFA (whose key states a
 * snapshot does not restore into: that case goes on with the same operator, no round trip).
 */
const runtimes = [
  ['the runtime compile picks', (_op: CepOperator<Ev, number>) => {}, <O>(_op: O, restore: () => O) => restore()],
  ['the shared-buffer NFA', onGeneralNfa, <O>(op: O) => op],
] as const;
const names = (m: Match<Ev>) => ['start', 'middle', 'end'].map((n) => m.get(n)![0]!.name);

describe.each(runtimes)('the event comparator, on %s', (_, reshape, roundTrip) => {
  it('orders events of one millisecond in processing time, held until the clock moves past it (testCEPOperatorComparatorProcessTime)', () => {
    const out: string[][] = [];
    let now = 0;
    const options = (): CepOperatorOptions<Ev, number> => ({
      patterns: { p: pattern() },
      key: (e) => e.id,
      time: 'processing',
      clock: () => now,
      comparator: byPrice,
      onMatch: ({ match }) => out.push(names(match)),
    });
    let op = new CepOperator(options());
    reshape(op);
    const start1 = event(42, 'start', 1.0);
    const start2 = event(42, 'start', 2.0);
    const middle1 = subEvent(42, 'foo1', 3.0, 10.0);
    const middle2 = subEvent(42, 'foo2', 4.0, 10.0);
    const end1 = event(42, 'end', 1.0);
    op.advanceProcessingTime();
    op.processElement(start1);
    op.processElement(event(43, 'start', 1.0));
    op.processElement(event(42, 'foobar', 1.0));
    op.processElement(subEvent(42, 'barfoo', 1.0, 5.0));
    // held: nothing has reached a key's state yet
    expect(op.keyCount).toBe(0);
    expect(op.bufferedCount).toBe(4);
    now = 3;
    op.advanceProcessingTime();
    expect(op.keyCount).toBe(2);
    op.processElement(middle2);
    op.processElement(middle1);
    op.processElement(start2);
    op = roundTrip(op, () => CepOperator.restore(JSON.parse(JSON.stringify(op.snapshot())), options()));
    now = 4;
    op.advanceProcessingTime();
    op.processElement(end1);
    now = 5;
    op.advanceProcessingTime();
    expect(out).toEqual([
      ['start', 'foo1', 'end'],
      ['start', 'foo2', 'end'],
      ['start', 'foo1', 'end'],
      ['start', 'foo2', 'end'],
    ]);
    // the starts are start1 then start2, each with middle1 then middle2 (middle2 came first)
    const starts: number[] = [];
    const again = new CepOperator<Ev, number>({ ...options(), onMatch: ({ match }) => starts.push(match.get('start')![0]!.price) });
    reshape(again);
    now = 0;
    for (const e of [start1, middle2, middle1, start2]) again.processElement(e);
    now = 1;
    again.processElement(end1);
    again.flush();
    expect(starts).toEqual([1, 1, 2, 2]);
  });

  it('orders events of equal timestamps in event time (testCEPOperatorComparatorEventTime)', () => {
    const out: { start: number; middle: number }[] = [];
    const options = (): CepOperatorOptions<Ev, number> => ({
      patterns: { p: pattern() },
      key: (e) => e.id,
      timestamp: (e) => stamps.get(e)!,
      comparator: byPrice,
      onMatch: ({ match }) => out.push({ start: match.get('start')![0]!.price, middle: match.get('middle')![0]!.price }),
    });
    const stamps = new Map<Ev, number>();
    const at = (e: Ev, ts: number) => (stamps.set(e, ts), e);
    let op = new CepOperator(options());
    reshape(op);
    op.advanceWatermark(0);
    op.processElement(at(event(42, 'start', 1.0), 1));
    op.processElement(at(event(43, 'start', 1.0), 1));
    op.processElement(at(event(42, 'foobar', 1.0), 2));
    op.processElement(at(subEvent(42, 'barfoo', 1.0, 5.0), 3));
    expect(op.bufferedCount).toBe(4);
    op.advanceWatermark(3);
    expect(op.bufferedCount).toBe(0);
    expect(op.keyCount).toBe(2);
    op.processElement(at(event(42, 'start', 2.0), 4));
    op.processElement(at(subEvent(42, 'foo2', 2.0, 10.0), 5));
    op.processElement(at(subEvent(42, 'foo1', 1.0, 10.0), 5));
    // restored events are new objects: they keep the timestamps of the snapshot's buffer
    op = roundTrip(op, () => CepOperator.restore(JSON.parse(JSON.stringify(op.snapshot())), { ...options(), timestamp: (e) => stamps.get(e) ?? 0 }));
    op.processElement(at(event(42, 'end', 1.0), 6));
    op.advanceWatermark(6);
    expect(out).toEqual([
      { start: 1, middle: 1 },
      { start: 1, middle: 2 },
      { start: 2, middle: 1 },
      { start: 2, middle: 2 },
    ]);
  });
});

describe.each(runtimes)('time in the condition context, on %s (NFAIterativeConditionTimeContextTest)', (_, reshape) => {
  const single = (where: Parameters<Pattern<Ev>['where']>[0], clock: () => number) => {
    const out: number[] = [];
    const op = new CepOperator<Ev, number>({
      patterns: { p: Pattern.begin<Ev>('start').where(where) },
      key: (e) => e.id,
      timestamp: (e) => e.price,
      clock,
      onMatch: ({ match }) => out.push(match.get('start')![0]!.id),
    });
    reshape(op);
    return { op, out };
  };

  it('gives the event timestamp (testEventTimestamp)', () => {
    const { op, out } = single(
      (_e, ctx) => ctx.timestamp() === 3,
      () => 0,
    );
    op.processInOrder(event(1, 'x', 3));
    expect(out).toEqual([1]);
  });

  it('gives the current processing time, to iterative and simple conditions (testCurrentProcessingTime)', () => {
    for (const iterative of [true, false]) {
      let now = 1;
      const clock = () => now;
      const { op, out } = single(
        iterative ? (_e, ctx) => ctx.currentProcessingTime() === 3 : { kind: 'predicate', iterative: false, test: (_e: Ev, ctx) => ctx.currentProcessingTime() === 3 },
        clock,
      );
      op.processInOrder(event(1, 'x', 7));
      now = 3;
      op.processInOrder(event(2, 'x', 8));
      expect(out).toEqual([2]);
    }
  });
});

describe('the event-time buffer', () => {
  it('releases in the order of a stable sort by timestamp, then comparator', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ts: fc.integer({ min: 0, max: 5 }), p: fc.integer({ min: 0, max: 3 }) }), { maxLength: 40 }), fc.boolean(), (items, compare) => {
        const buffer = new EventTimeBuffer<{ ts: number; p: number }>(compare ? (a, b) => a.p - b.p : undefined);
        for (const x of items) buffer.add(x.ts, x);
        const released: unknown[] = [];
        buffer.release(Infinity, (e) => released.push(e));
        const expected = [...items].sort((a, b) => a.ts - b.ts || (compare ? a.p - b.p : 0)); // Array.prototype.sort is stable
        expect(released).toEqual(expected);
        expect(released.every((e, i) => e === expected[i])).toBe(true);
      }),
    );
  });
});
