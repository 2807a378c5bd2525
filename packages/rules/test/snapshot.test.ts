import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, RuleEngine, type EngineChanges, type EngineSnapshot, type StandardEvent } from '../src/index.ts';

/** A sequence rule named `name` over codes A, B, C, N, of every shape the language has. */
const sequenceRule = (name: string) =>
  fc
    .record({
      shape: fc.constantFrom('a -> b', 'a , b', 'a ->> b', 'a -> !n -> b', 'a+ -> b', 'a{2} -> b', 'a -> b{1,3} -> c', 'a -> !n', 'a*? -> b', 'PERMUTE(a, b)'),
      within: fc.constantFrom('', 'WITHIN 5 MILLISECONDS', 'WITHIN 12 MILLISECONDS'),
      skip: fc.constantFrom('', 'AFTER MATCH NO SKIP', 'AFTER MATCH SKIP TO NEXT', 'AFTER MATCH SKIP PAST LAST EVENT'),
      where: fc.constantFrom('', 'WHERE b.extra_info.v > a.extra_info.v', 'WHERE a.extra_info.v >= 0.2', "WHERE a.extra_info.k = 'x'"),
      key: fc.constantFrom('', 'PARTITION BY a.extra_info.k'),
    })
    .map(({ shape, within, skip, where, key }) => {
      const uses = (v: string) => new RegExp(`\\b${v}\\b`).test(shape);
      const decls = [
        ['a', 'A'],
        ['b', 'B'],
        ['c', 'C'],
        ['n', 'N'],
      ]
        .filter(([v]) => uses(v))
        .map(([v, c]) => `${v}: ${c}`);
      // a trailing negation needs a window; conditions may name only variables the shape has
      const w = shape.endsWith('!n') && within === '' ? 'WITHIN 5 MILLISECONDS' : within;
      const cond = where.includes('b.') && !uses('b') ? '' : where;
      const k = key !== '' && shape.includes('PERMUTE') ? '' : key;
      const ret = shape.includes('+') || shape.includes('{') || shape.includes('*') ? '' : '\nRETURN v=a.extra_info.v';
      return `RULENAME "${name}"\n${decls.join('\n')}\nEVENT ${shape}\n${cond}\n${k}\n${w}\n${skip}${ret}`;
    });

const repeatRule = (name: string) =>
  fc
    .record({
      min: fc.integer({ min: 1, max: 3 }),
      within: fc.integer({ min: 2, max: 15 }),
      // thresholds that sums of these values reach exactly: the residue of events that left decides them
      having: fc.constantFrom(
        '',
        'HAVING COUNT(e) >= 2',
        'HAVING DISTINCT(e.extra_info.k) >= 2',
        'HAVING SUM(e.extra_info.v) > 0.3',
        'HAVING SUM(e.extra_info.v) > 0.6',
        'HAVING AVG(e.extra_info.v) > 0.3',
      ),
    })
    .map(
      ({ min, within, having }) =>
        `RULENAME "${name}"\ne: A | C\nEVENT e\nREPEAT ${min}+ SAME e.user_id ${having}\nWITHIN ${within} MILLISECONDS\nRETURN n=COUNT(e), s=SUM(e.extra_info.v)`,
    );

/** One to three rules; a second or third one may read the first one's output (chaining). */
const rules = fc
  .tuple(fc.oneof(sequenceRule('r1'), repeatRule('r1')), fc.option(fc.oneof(sequenceRule('r2'), repeatRule('r2')), { nil: undefined }), fc.boolean())
  .map(([first, second, chain]) => [first, ...(second ? [second] : []), ...(chain ? ['RULENAME "chained"\nx: r1\ny: B\nEVENT x -> y\nWITHIN 20 MILLISECONDS'] : [])].join('\n\n'));

const events = fc
  .array(
    fc.record({
      code: fc.constantFrom('A', 'A', 'B', 'C', 'N'),
      user: fc.constantFrom('u1', 'u2', 'u3'),
      v: fc.constantFrom(0.1, 0.2, 0.3, 0.7),
      k: fc.constantFrom('x', 'y', undefined),
      gap: fc.integer({ min: 0, max: 3 }),
      jitter: fc.integer({ min: 0, max: 2 }),
    }),
    { maxLength: 60 },
  )
  .map((xs) => {
    let t = 0;
    return xs.map(
      (x): StandardEvent => ({ event_code: x.code, event_time: (t += x.gap) - x.jitter, user_id: x.user, extra_info: x.k === undefined ? { v: x.v } : { v: x.v, k: x.k } }),
    );
  });

/** What an engine reports, in order: outputs, late events and unkeyed events. */
function recorder() {
  const seen: string[] = [];
  return {
    seen,
    options: (text: string, outOfOrdernessMs: number) => ({
      rules: compileRules(text),
      outOfOrdernessMs,
      onOutput: (e: StandardEvent, rule: string) => seen.push(`out ${rule} ${JSON.stringify(e)}`),
      onLate: (e: StandardEvent, rule?: string) => seen.push(`late ${rule ?? '-'} ${JSON.stringify(e)}`),
      onUnkeyed: (e: StandardEvent, rule: string) => seen.push(`unkeyed ${rule} ${JSON.stringify(e)}`),
    }),
  };
}

describe('RuleEngine snapshots', () => {
  it('continue exactly: snapshot, JSON round trip and restore at any point give the uninterrupted outputs', () => {
    fc.assert(
      fc.property(rules, events, fc.constantFrom(0, 2), fc.nat(), (text, evs, disorder, at) => {
        const whole = recorder();
        const uninterrupted = new RuleEngine(whole.options(text, disorder));
        for (const e of evs) uninterrupted.push(e);
        uninterrupted.flush();

        const cut = evs.length === 0 ? 0 : at % (evs.length + 1);
        const parts = recorder();
        const before = new RuleEngine(parts.options(text, disorder));
        for (const e of evs.slice(0, cut)) before.push(e);
        const snapshot = JSON.parse(JSON.stringify(before.snapshot())) as EngineSnapshot;
        const after = RuleEngine.restore(snapshot, parts.options(text, disorder));
        for (const e of evs.slice(cut)) after.push(e);
        after.flush();

        expect(parts.seen).toEqual(whole.seen);
        expect(after.stats).toEqual(uninterrupted.stats);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('changes merged into the earlier snapshot give the complete snapshot, and restore to the uninterrupted outputs', () => {
    fc.assert(
      fc.property(rules, events, fc.constantFrom(0, 2), fc.array(fc.nat(), { maxLength: 4 }), (text, evs, disorder, cuts) => {
        const whole = recorder();
        const uninterrupted = new RuleEngine(whole.options(text, disorder));
        for (const e of evs) uninterrupted.push(e);
        uninterrupted.flush();

        const parts = recorder();
        const before = new RuleEngine({ ...parts.options(text, disorder), trackChanges: true });
        const at = [...new Set(cuts.map((c) => (evs.length === 0 ? 0 : c % (evs.length + 1))))].sort((x, y) => x - y);
        let merged: EngineSnapshot | undefined;
        let done = 0;
        for (const cut of at) {
          for (const e of evs.slice(done, cut)) before.push(e);
          done = cut;
          merged = RuleEngine.mergeChanges(merged, JSON.parse(JSON.stringify(before.snapshotChanges())) as EngineChanges);
          expect(canonical(merged)).toEqual(canonical(JSON.parse(JSON.stringify(before.snapshot()))));
        }
        const after = merged === undefined ? before : RuleEngine.restore(merged, parts.options(text, disorder));
        for (const e of evs.slice(done)) after.push(e);
        after.flush();
        expect(parts.seen).toEqual(whole.seen);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it("changes of a rule deployed anew drop the old version's keys", () => {
    const v1 = 'RULENAME "r"\na: A\nb: B\nEVENT a -> b';
    const engine = new RuleEngine({ rules: compileRules(v1), onOutput: () => {}, trackChanges: true });
    engine.push({ event_code: 'A', event_time: 1, user_id: 'u1', extra_info: {} });
    const first = engine.snapshotChanges();
    expect(first.rules[0]).toMatchObject({ fresh: true, removed: [] });
    expect(first.rules[0].keys.map(([k]) => k)).toEqual(['u1']);
    engine.replaceRules(compileRules(v1), new Set(['r']));
    engine.push({ event_code: 'A', event_time: 2, user_id: 'u2', extra_info: {} });
    const merged = RuleEngine.mergeChanges(first, engine.snapshotChanges());
    expect(merged.rules[0].keys.map(([k]) => k)).toEqual(['u2']);
    expect(() => new RuleEngine({ rules: compileRules(v1), onOutput: () => {} }).snapshotChanges()).toThrow(/needs the trackChanges option/);
  });

  it("restore version 1 snapshots (each rule's state whole)", () => {
    fc.assert(
      fc.property(rules, events, fc.nat(), (text, evs, at) => {
        const whole = recorder();
        const uninterrupted = new RuleEngine(whole.options(text, 2));
        for (const e of evs) uninterrupted.push(e);
        uninterrupted.flush();
        const cut = evs.length === 0 ? 0 : at % (evs.length + 1);
        const parts = recorder();
        const before = new RuleEngine(parts.options(text, 2));
        for (const e of evs.slice(0, cut)) before.push(e);
        const after = RuleEngine.restore(asVersion1(JSON.parse(JSON.stringify(before.snapshot()))), parts.options(text, 2));
        for (const e of evs.slice(cut)) after.push(e);
        after.flush();
        expect(parts.seen).toEqual(whole.seen);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });

  it('keep the running sums, residue included: re-adding the events would not give them back', () => {
    // 0.1, 0.2, 0.7 in a 2 ms window: once 0.1 has left, the running sum is 0.9, the sum of the
    // events in the window 0.8999999999999999; a restored engine carries on from 0.9
    const text = 'RULENAME "r"\ne: A\nEVENT e\nREPEAT 1+ HAVING SUM(e.extra_info.v) > 5\nWITHIN 2 MILLISECONDS';
    const engine = new RuleEngine(recorder().options(text, 0));
    for (const [t, v] of [0.1, 0.2, 0.7].entries()) engine.push({ event_code: 'A', event_time: t, user_id: 'u', extra_info: { v } });
    const snapshot = JSON.parse(JSON.stringify(engine.snapshot())) as EngineSnapshot;
    expect(JSON.stringify(snapshot.rules[0].keys)).toContain('"0.9"');
    const restored = RuleEngine.restore(snapshot, recorder().options(text, 0));
    expect(JSON.parse(JSON.stringify(restored.snapshot()))).toEqual(snapshot);
  });

  it('refuse a snapshot of other rules, with the reason', () => {
    const engine = new RuleEngine({ rules: compileRules('RULENAME "r"\na: A\nb: B\nEVENT a -> b'), onOutput: () => {} });
    const snapshot = engine.snapshot();
    expect(() => RuleEngine.restore(snapshot, { rules: compileRules('RULENAME "r"\na: A\nb: C\nEVENT a -> b'), onOutput: () => {} })).toThrow(/rule "r" is not the one/);
    expect(() => RuleEngine.restore(snapshot, { rules: compileRules('RULENAME "q"\na: A\nEVENT a'), onOutput: () => {} })).toThrow(/has rule "r", which the engine does not/);
    expect(() => RuleEngine.restore({ format: 'x' } as never, { rules: [], onOutput: () => {} })).toThrow(/not a Cepheus rule engine snapshot/);
  });
});

/** A snapshot with each rule's keys in one order (a merge keeps the base's order, then the changed keys'). */
function canonical(s: EngineSnapshot): EngineSnapshot {
  return { ...s, rules: s.rules.map((r) => ({ ...r, keys: [...r.keys].sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1)) })) };
}

/** The version 1 form of a snapshot: a sequence rule's state the operator's whole (version 2), a REPEAT rule's its windows and pending events. */
function asVersion1(s: EngineSnapshot): EngineSnapshot {
  const rules = s.rules.map((r) => {
    const state = r.state as Record<string, unknown>;
    const whole =
      'pending' in state && !('format' in state)
        ? { windows: r.keys, pending: state.pending }
        : { ...state, version: 2, keySeq: undefined, patterns: [{ name: r.name, keys: r.keys.map(([k, entry]) => [k, (entry as unknown[])[0]]) }] };
    return { ...r, state: whole, keys: [] };
  });
  return { ...s, version: 1, rules };
}
