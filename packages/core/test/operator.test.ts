import { describe, expect, it } from 'vitest';
import { BoundedOutOfOrderness, CepOperator, Pattern, type CepOperatorOptions } from '../src/index.ts';

type Ev = { id: string; user: string; code: string; ts: number };
const ev = (id: string, user: string, code: string, ts: number): Ev => ({ id, user, code, ts });
const abc = () =>
  Pattern.begin<Ev>('a')
    .where((e) => e.code === 'A')
    .followedBy('b')
    .where((e) => e.code === 'B')
    .followedBy('c')
    .where((e) => e.code === 'C')
    .within(10);

function collect(extra: Partial<CepOperatorOptions<Ev, string>> = {}) {
  const out: string[] = [];
  const options: CepOperatorOptions<Ev, string> = {
    patterns: { abc: abc() },
    key: (e) => e.user,
    timestamp: (e) => e.ts,
    onMatch: (m) =>
      out.push(
        `match ${m.pattern} ${m.key} ${[...m.match.values()]
          .flat()
          .map((e) => e.id)
          .join(',')}`,
      ),
    onTimeout: (t) =>
      out.push(
        `timeout ${t.key} @${t.timestamp} ${[...t.match.values()]
          .flat()
          .map((e) => e.id)
          .join(',')}`,
      ),
    onLate: (e) => out.push(`late ${e.id}`),
    ...extra,
  };
  return { op: new CepOperator<Ev, string>(options), out, options };
}

describe('CepOperator in event time', () => {
  it('matches per key, in timestamp order even when events arrive out of order', () => {
    const { op, out } = collect({ outOfOrdernessMs: 5 });
    for (const e of [ev('a1', 'u1', 'A', 1), ev('c1', 'u1', 'C', 4), ev('b1', 'u1', 'B', 2), ev('a2', 'u2', 'A', 3), ev('b2', 'u2', 'B', 5)]) op.processElement(e);
    expect(out).toEqual([]); // nothing passed the watermark yet (max 5 - 5 - 1 = -1)
    op.flush();
    expect(out).toContain('match abc u1 a1,b1,c1');
    expect(out).toContain('timeout u2 @13 a2,b2');
  });

  it('keeps arrival order for equal timestamps', () => {
    const { op, out } = collect();
    op.processElement(ev('a1', 'u', 'A', 1));
    op.processElement(ev('b1', 'u', 'B', 2));
    op.processElement(ev('c1', 'u', 'C', 2));
    op.processElement(ev('b2', 'u', 'B', 2));
    op.advanceWatermark(2);
    expect(out).toEqual(['match abc u a1,b1,c1']);
  });

  it('sends events at or behind the watermark to the late output', () => {
    const { op, out } = collect();
    op.processElement(ev('a1', 'u', 'A', 5));
    op.advanceWatermark(5);
    op.processElement(ev('x', 'u', 'B', 5));
    op.processElement(ev('y', 'u', 'B', 3));
    expect(out).toEqual(['late x', 'late y']);
    expect(op.stats.lateEvents).toBe(2);
  });

  it('counts late events when no late handler is given', () => {
    const { op } = collect({ onLate: undefined });
    op.advanceWatermark(10);
    op.processElement(ev('x', 'u', 'A', 1));
    expect(op.stats.lateEvents).toBe(1);
  });

  it('emits timeouts when the watermark passes the window, without further events for the key', () => {
    const { op, out } = collect();
    op.processElement(ev('a1', 'u', 'A', 1));
    op.advanceWatermark(10);
    expect(out).toEqual([]);
    op.advanceWatermark(11);
    expect(out).toEqual(['timeout u @11 a1']);
    expect(op.keyCount).toBe(0);
  });

  it('runs several patterns over one input', () => {
    const out: string[] = [];
    const op = new CepOperator<Ev, string>({
      patterns: {
        abc: abc(),
        twoA: Pattern.begin<Ev>('x')
          .where((e) => e.code === 'A')
          .times(2),
      },
      key: (e) => e.user,
      timestamp: (e) => e.ts,
      onMatch: (m) =>
        out.push(
          `${m.pattern}:${[...m.match.values()]
            .flat()
            .map((e) => e.id)
            .join(',')}`,
        ),
    });
    for (const e of [ev('a1', 'u', 'A', 1), ev('a2', 'u', 'A', 2), ev('b', 'u', 'B', 3), ev('c', 'u', 'C', 4)]) op.processElement(e);
    op.flush();
    expect(out.sort()).toEqual(['abc:a1,b,c', 'abc:a2,b,c', 'twoA:a1,a2']);
  });

  it('keeps no state for keys whose events start nothing, also for NFAs with many states', () => {
    const op = new CepOperator<Ev, string>({
      patterns: {
        long: Pattern.begin<Ev>('a')
          .where((e) => e.code === 'A')
          .times(40),
      },
      key: (e) => e.user,
      timestamp: (e) => e.ts,
      onMatch: () => {},
    });
    for (let i = 0; i < 100; i++) op.processElement(ev(`x${i}`, `u${i}`, 'B', i));
    op.flush();
    expect(op.keyCount).toBe(0);
  });

  it('rejects a missing timestamp function and non-numeric timestamps', () => {
    expect(() => new CepOperator<Ev>({ patterns: { abc: abc() }, onMatch: () => {} })).toThrow(/timestamp/);
    const { op } = collect();
    expect(() => op.processElement({ ...ev('x', 'u', 'A', 0), ts: 'soon' as unknown as number })).toThrow(/timestamp\(\) returned soon/);
  });
});

describe('CepOperator in processing time', () => {
  it('stamps events with the clock and times out on advanceProcessingTime', () => {
    let now = 100;
    const { op, out } = collect({ time: 'processing', timestamp: undefined, clock: () => now });
    op.processElement(ev('a1', 'u', 'A', 0));
    now = 105;
    op.processElement(ev('b1', 'u', 'B', 0));
    op.advanceProcessingTime(109);
    expect(out).toEqual([]);
    op.advanceProcessingTime(110);
    expect(out).toEqual(['timeout u @110 a1,b1']);
  });
});

describe("the operator's per-key bookkeeping", () => {
  it("fires equal deadlines in key creation order when a dropped key's slot is reused", () => {
    const strict = Pattern.begin<Ev>('a')
      .where((e) => e.code === 'A')
      .next('b')
      .where((e) => e.code === 'B')
      .within(10);
    const feed = [ev('a1', 'u1', 'A', 0), ev('a3', 'u3', 'A', 0), ev('b1', 'u1', 'B', 0), ev('a2', 'u2', 'A', 0)];
    const run = (restoreAfter: number) => {
      let { op, out } = collect({ patterns: { ab: strict } });
      feed.forEach((e, i) => {
        op.processInOrder(e);
        if (i + 1 === restoreAfter) {
          const snap = JSON.parse(JSON.stringify(op.snapshot()));
          const fresh = collect({ patterns: { ab: strict } });
          op = CepOperator.restore(snap, fresh.options);
          out = fresh.out;
        }
      });
      op.flush();
      return out;
    };
    // u1 matched and went idle (dropped) before u2 came; u3 was created before u2
    const expected = ['match ab u1 a1,b1', 'timeout u3 @10 a3', 'timeout u2 @10 a2'];
    expect(run(0)).toEqual(expected);
    for (let i = 1; i <= feed.length; i++) expect(run(i).slice(-2)).toEqual(expected.slice(-2));
  });
});

describe('BoundedOutOfOrderness', () => {
  it('trails the largest timestamp by the bound plus one', () => {
    const w = new BoundedOutOfOrderness(5);
    expect(w.onEvent(10)).toBe(4);
    expect(w.onEvent(3)).toBe(4);
    expect(w.onEvent(20)).toBe(14);
    expect(() => new BoundedOutOfOrderness(-1)).toThrow(RangeError);
  });
});

describe('time at the edge of the number range', () => {
  it('terminates when a window cannot close because start + window rounds to start', () => {
    for (const chain of [true, false]) {
      const p = Pattern.begin<{ c: string; ts: number }>('a').where((e) => e.c === 'a');
      const pattern = (chain ? p.followedBy('b') : p.followedByAny('b')).where((e) => e.c === 'b').within(1000);
      const op = new CepOperator<{ c: string; ts: number }, number>({ patterns: { p: pattern }, timestamp: (e) => e.ts, outOfOrdernessMs: 0, onMatch: () => {} });
      const huge = Number.MAX_VALUE / 2; // huge + 1000 === huge
      op.processElement({ c: 'a', ts: huge });
      op.processElement({ c: 'c', ts: huge * 1.5 });
      op.flush(); // must return
      expect(op.stats.events).toBe(2);
    }
  });
});
