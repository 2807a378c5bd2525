import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CepOperator, compile, compilePattern, type KeyState, type Matcher, type OperatorSnapshot } from '../src/index.ts';
import { ChainNFA, ChainState, PathState } from '../src/internal.ts';
import { NFA, NFAState } from '../src/reference/index.ts';
import { anySpec, chainSpec, events, feedAll, onGeneralNfa, oneStep, operator, patternSpec, tryBuild, type Ev, type PatternSpec } from './arbitraries.ts';

describe('snapshot and restore', () => {
  it.each([true, false])('a restored operator continues exactly as the uninterrupted one (timeouts observed: %s)', (timeouts) => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 3 }), events(), fc.nat(), (specs, evs, cut) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const whole: string[] = [];
        const a = new CepOperator(operator(specs, whole, timeouts));
        feedAll(a, evs);

        const split: string[] = [];
        const at = evs.length === 0 ? 0 : cut % (evs.length + 1);
        const b = new CepOperator(operator(specs, split, timeouts));
        for (const e of evs.slice(0, at)) b.processElement(e);
        const snap = JSON.parse(JSON.stringify(b.snapshot())) as OperatorSnapshot;
        const c = CepOperator.restore(snap, operator(specs, split, timeouts));
        feedAll(c, evs.slice(at));
        expect(split).toEqual(whole);
        expect(c.stats).toEqual(a.stats);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('changes merged into the earlier snapshot give the complete snapshot, and restore to the same continuation', () => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 3 }), events(), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (specs, evs, cuts, timeouts) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const whole: string[] = [];
        feedAll(new CepOperator(operator(specs, whole, timeouts)), evs);

        const split: string[] = [];
        const b = new CepOperator({ ...operator(specs, split, timeouts), trackChanges: true });
        const at = [...new Set(cuts.map((c) => (evs.length === 0 ? 0 : c % (evs.length + 1))))].sort((x, y) => x - y);
        let merged: OperatorSnapshot | undefined;
        let done = 0;
        for (const cut of at) {
          for (const e of evs.slice(done, cut)) b.processElement(e);
          done = cut;
          merged = CepOperator.mergeChanges(merged, JSON.parse(JSON.stringify(b.snapshotChanges())));
          expect(merged).toEqual(JSON.parse(JSON.stringify(b.snapshot())));
        }
        const c = merged === undefined ? b : CepOperator.restore(merged, operator(specs, split, timeouts));
        feedAll(c, evs.slice(done));
        expect(split).toEqual(whole);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('restores version 1 snapshots, whose key states of patterns that are not chains are in the shared-buffer form', () => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 2 }), events(), fc.nat(), (specs, evs, cut) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const whole: string[] = [];
        feedAll(new CepOperator(operator(specs, whole)), evs);
        // the previous build: every pattern that is not a chain on the shared-buffer NFA
        const split: string[] = [];
        const at = evs.length === 0 ? 0 : cut % (evs.length + 1);
        const old = new CepOperator(operator(specs, split));
        onSharedBufferNfa(old);
        for (const e of evs.slice(0, at)) old.processElement(e);
        const snap = { ...JSON.parse(JSON.stringify(old.snapshot())), version: 1 } as OperatorSnapshot;
        feedAll(CepOperator.restore(snap, operator(specs, split)), evs.slice(at));
        expect(split).toEqual(whole);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('rejects snapshots of another format or version with a clear message', () => {
    const out: string[] = [];
    const spec: PatternSpec = { steps: [oneStep()], within: 5, withinType: 'FIRST_AND_LAST', skip: 'noSkip' };
    const snap = new CepOperator(operator([spec], out)).snapshot();
    expect(() => CepOperator.restore({ ...snap, version: 4 as 3 }, operator([spec], out))).toThrow(/unsupported snapshot version 4/);
    expect(() => CepOperator.restore({} as OperatorSnapshot, operator([spec], out))).toThrow(/not a Cepheus operator snapshot/);
  });

  it('rejects key states taken from a pattern of another shape with a clear message', () => {
    const step = oneStep({ link: 'followedBy' });
    const chain: PatternSpec = { steps: [step, { ...step, code: 'b' }], within: 9, withinType: 'FIRST_AND_LAST', skip: 'noSkip' };
    const loop: PatternSpec = { ...chain, steps: [step, { ...step, code: 'b', quant: 'oneOrMore' }] };
    const ev = (id: number, c: string, ts: number): Ev => ({ id, k: 0, c, v: 0, ts });
    for (const [from, to] of [
      [chain, loop],
      [loop, chain],
    ]) {
      const op = new CepOperator(operator([from], []));
      op.processElement(ev(0, 'a', 0));
      op.processElement(ev(1, 'c', 4)); // the watermark passes the first event: the key has a run
      const snap = JSON.parse(JSON.stringify(op.snapshot())) as OperatorSnapshot;
      expect(snap.patterns[0].keys).toHaveLength(1);
      expect(() => CepOperator.restore(snap, operator([to], []))).toThrow(/not taken from this pattern/);
    }
  });
});

/** Puts every pattern that compile does not run as a chain on the shared-buffer NFA, as the build before the path runtime did. */
function onSharedBufferNfa(op: CepOperator<Ev, number>): void {
  for (const r of (op as unknown as { runners: { nfa: Matcher<Ev> }[] }).runners) if (!(r.nfa instanceof ChainNFA)) r.nfa = new NFA(r.nfa.compiled);
}

/** What a key's state still holds: events, buffer nodes, runs that have started. */
function held(s: KeyState): { events: number; nodes: number; runs: number } {
  if (s instanceof NFAState) return { events: s.buffer.liveEvents, nodes: s.buffer.liveNodes, runs: s.partial.filter((c) => !c.state.isStart).length };
  // a ChainState's runs hold their events themselves: slots left in its record arrays
  if (s instanceof ChainState) return { events: 0, nodes: 0, runs: s.runs.length + (s.completed?.length ?? 0) };
  // a PathState's runs reach their events through their paths: count the path nodes they reach
  if (s instanceof PathState) {
    const runs = [...s.runs.filter((r) => !r.state.isStart), ...(s.completed ?? [])];
    const nodes = new Set<unknown>();
    for (const r of [...s.runs, ...(s.completed ?? [])]) for (let n = r.path; n !== null; n = n.prev) nodes.add(n);
    return { events: nodes.size, nodes: 0, runs: runs.length };
  }
  throw new Error('unknown key state');
}

describe('memory release', () => {
  it('once every partial match has expired, the shared buffers hold nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          patternSpec(true),
          chainSpec.map((c) => ({ ...c, within: c.within ?? 5 })),
        ),
        events(60),
        (spec, evs) => {
          const pattern = tryBuild(spec);
          fc.pre(pattern !== undefined);
          // NFA level: every key's state is empty after time passes all windows, in both runtimes
          for (const nfa of [compile(pattern!), new NFA(compilePattern(pattern!))]) {
            const states = new Map<number, KeyState>();
            const sorted = [...evs].sort((x, y) => x.ts - y.ts);
            for (const e of sorted) {
              let s = states.get(e.k);
              if (!s) states.set(e.k, (s = nfa.createState()));
              nfa.advanceTime(s, e.ts);
              nfa.evaluate(e, e.ts);
              nfa.process(s);
            }
            for (const s of states.values()) {
              nfa.advanceTime(s, Number.MAX_VALUE);
              expect(held(s)).toEqual({ events: 0, nodes: 0, runs: 0 });
            }
          }
          // operator level: idle keys are dropped, whether expiry is deferred or not
          for (const timeouts of [true, false]) {
            const op = new CepOperator(operator([spec], [], timeouts));
            feedAll(op, evs);
            expect(op.keyCount).toBe(0);
            expect(op.bufferedCount).toBe(0);
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('operator', () => {
  it.each([true, false])(
    'skips irrelevant events and defers expiry without changing any output (against the general NFA processing every event; timeouts observed: %s)',
    (timeouts) => {
      fc.assert(
        fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 2 }), events(), (specs, evs) => {
          fc.pre(specs.every((s) => tryBuild(s) !== undefined));
          const fast: string[] = [];
          const a = new CepOperator(operator(specs, fast, timeouts));
          feedAll(a, evs);
          const all: string[] = [];
          const b = new CepOperator(operator(specs, all, timeouts));
          onGeneralNfa(b);
          feedAll(b, evs);
          expect(fast).toEqual(all);
        }),
        { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
      );
    },
  );
});

describe('partial matches', () => {
  it('are counted alike by every runtime and the reference NFA, event by event (timeouts observed)', () => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 2 }), events(), (specs, evs) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const a = new CepOperator(operator(specs, []));
        const b = new CepOperator(operator(specs, []));
        onGeneralNfa(b);
        for (const e of evs) {
          a.processElement(e);
          b.processElement(e);
          expect(a.partialMatches()).toEqual(b.partialMatches());
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('processInOrder', () => {
  it('gives what buffering each event until the watermark passes it gives', () => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 2 }), events(), fc.boolean(), (specs, evs, timeouts) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const sorted = [...evs].sort((x, y) => x.ts - y.ts);
        const buffered: string[] = [];
        const a = new CepOperator({ ...operator(specs, buffered, timeouts), outOfOrdernessMs: 0 });
        feedAll(a, sorted);
        const direct: string[] = [];
        const b = new CepOperator({ ...operator(specs, direct, timeouts), outOfOrdernessMs: undefined });
        for (const e of sorted) {
          b.advanceWatermark(e.ts - 1);
          b.processInOrder(e);
        }
        b.flush();
        expect(direct).toEqual(buffered);
        expect(b.stats).toEqual(a.stats);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('reports late events and rejects events out of order', () => {
    const late: number[] = [];
    const op = new CepOperator({
      ...operator([{ steps: [oneStep()], within: null, withinType: 'FIRST_AND_LAST', skip: 'noSkip' }], []),
      outOfOrdernessMs: undefined,
      onLate: (e: Ev) => late.push(e.id),
    });
    const ev = (id: number, ts: number): Ev => ({ id, k: 0, c: 'a', v: 0, ts });
    op.processInOrder(ev(0, 5));
    op.advanceWatermark(5);
    op.processInOrder(ev(1, 5)); // at the watermark: late
    op.processInOrder(ev(2, 7));
    expect(late).toEqual([1]);
    expect(() => op.processInOrder(ev(3, 6))).toThrow(/timestamp 6 after 7/);
  });
});
