/** Runs one conformance case (format: ../shared/conformance/FORMAT.md) and describes any mismatch. */
import { AfterMatchSkipStrategy, CepRuntimeError, compile, MalformedPatternError, Pattern, type Match, type Matcher, type TimedOutMatch } from '../packages/core/src/index.ts';
import { ChainNFA } from '../packages/core/src/internal.ts';
import { NFA } from '../packages/core/src/reference/index.ts';

type Ref = string;
type ExpectedMatch = Ref[] | Record<string, Ref[]>;

export interface ConformanceCase {
  source: string;
  description?: string;
  pattern: string;
  events: ({ ref: Ref; ts: number; event: Record<string, unknown> } | { advanceTime: number })[];
  expect: {
    matches?: ExpectedMatch[];
    ordered?: boolean;
    timeouts?: { match: Ref[]; ts: number }[];
    error?: string;
    errorAt?: 'process';
  };
  skip?: string;
}

type Ev = Record<string, unknown> & { __ref: Ref };

/** Builds the case's pattern with exactly Pattern and AfterMatchSkipStrategy in scope. */
export function buildPattern(expr: string): Pattern<Ev> {
  const build = new Function('Pattern', 'AfterMatchSkipStrategy', `"use strict"; return (${expr});`);
  return build(Pattern, AfterMatchSkipStrategy);
}

/**
 * The runtimes that run the pattern: what `compile` picks, and the shared-buffer NFA (Flink's own
 * design) as well, so that both are held to Flink's results.
 */
export function runtimes(pattern: Pattern<Ev>): Matcher<Ev>[] {
  const picked = compile(pattern);
  return [picked, new NFA(picked.compiled)];
}

/** How the conformance output names a runtime. */
export function runtimeName(m: Matcher<Ev>): string {
  return m instanceof ChainNFA ? 'chain runtime' : m instanceof NFA ? 'shared-buffer NFA' : 'path runtime';
}

/** Feeds the case's events; time advances to each event's ts before it is processed. */
export function feed(c: ConformanceCase, nfa: Matcher<Ev>): { matches: Match<Ev>[]; timeouts: TimedOutMatch<Ev>[] } {
  const state = nfa.createState();
  const matches: Match<Ev>[] = [];
  const timeouts: TimedOutMatch<Ev>[] = [];
  for (const item of c.events) {
    if ('advanceTime' in item) {
      nfa.advanceTime(state, item.advanceTime, matches, timeouts);
      continue;
    }
    nfa.advanceTime(state, item.ts, matches, timeouts);
    nfa.evaluate({ ...item.event, __ref: item.ref }, item.ts);
    nfa.process(state, matches);
  }
  return { matches, timeouts };
}

/** null when every runtime's output agrees with the case, otherwise a description of the difference. */
export function runCase(c: ConformanceCase): string | null {
  if (c.skip) return `case marked skip: ${c.skip}`;
  const exp = c.expect;
  let matchers: Matcher<Ev>[];
  try {
    const pattern = buildPattern(c.pattern);
    matchers = runtimes(pattern);
    if (exp.error !== undefined && exp.errorAt !== 'process') return `expected a build/compile error (${exp.error}), but the pattern compiled`;
  } catch (e) {
    if (exp.error !== undefined && exp.errorAt !== 'process') {
      return e instanceof MalformedPatternError ? null : `expected MalformedPatternError (${exp.error}), got ${describeError(e)}`;
    }
    return `unexpected error building the pattern: ${describeError(e)}`;
  }
  for (const m of matchers) {
    const problem = checkRun(c, m);
    if (problem !== null) return `${runtimeName(m)}: ${problem}`;
  }
  return null;
}

/** Runs the case's events through one runtime and compares with the expected output. */
function checkRun(c: ConformanceCase, nfa: Matcher<Ev>): string | null {
  const exp = c.expect;
  let out: ReturnType<typeof feed>;
  try {
    out = feed(c, nfa);
  } catch (e) {
    if (exp.errorAt === 'process') return e instanceof CepRuntimeError ? null : `expected CepRuntimeError (${exp.error}), got ${describeError(e)}`;
    return `unexpected error while processing: ${describeError(e)}`;
  }
  if (exp.errorAt === 'process') return `expected an error while processing (${exp.error}), but none was raised`;

  const problems: string[] = [];
  const ordered = exp.ordered === true;
  const actual = out.matches.map((m) => renderMatch(m, ordered));
  const expected = (exp.matches ?? []).map((m) => renderExpected(m, ordered));
  const diff = ordered ? orderedDiff(expected, actual) : multisetDiff(expected, actual);
  if (diff) problems.push(`matches ${diff}`);
  if (exp.timeouts !== undefined) {
    const at = out.timeouts.map((t) => `${renderMatch(t.match, false)}@${t.timestamp}`);
    const et = exp.timeouts.map((t) => `${[...t.match].sort().join(',')}@${t.ts}`);
    const d = multisetDiff(et, at);
    if (d) problems.push(`timeouts ${d}`);
  }
  return problems.length ? problems.join('; ') : null;
}

function renderMatch(m: Match<Ev>, ordered: boolean): string {
  if (ordered) return [...m].map(([k, evs]) => `${k}:${evs.map((e) => e.__ref).join(',')}`).join(' ');
  return [...m.values()]
    .flat()
    .map((e) => e.__ref)
    .sort()
    .join(',');
}

function renderExpected(m: ExpectedMatch, ordered: boolean): string {
  if (Array.isArray(m)) return ordered ? m.join(',') : [...m].sort().join(',');
  if (ordered)
    return Object.entries(m)
      .map(([k, refs]) => `${k}:${refs.join(',')}`)
      .join(' ');
  return Object.values(m).flat().sort().join(',');
}

/** Ordered comparison; an expected plain list is compared with the match's refs in pattern order. */
function orderedDiff(expected: string[], actual: string[]): string | null {
  const norm = actual.map((a, i) => (expected[i] !== undefined && !expected[i].includes(':') ? a.replace(/\S+:/g, '').split(' ').join(',') : a));
  const same = expected.length === norm.length && expected.every((e, i) => e === norm[i]);
  return same ? null : `expected [${expected.join(' | ')}] got [${norm.join(' | ')}]`;
}

function multisetDiff(expected: string[], actual: string[]): string | null {
  const count = new Map<string, number>();
  for (const e of expected) count.set(e, (count.get(e) ?? 0) + 1);
  for (const a of actual) count.set(a, (count.get(a) ?? 0) - 1);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of count) {
    for (let i = 0; i < n; i++) missing.push(`[${k}]`);
    for (let i = 0; i < -n; i++) extra.push(`[${k}]`);
  }
  if (!missing.length && !extra.length) return null;
  return `missing ${missing.join(' ') || '-'}; unexpected ${extra.join(' ') || '-'}`;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
