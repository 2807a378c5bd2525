/** W3's rules and loop, shared by the benchmark (workload.ts) and the W3 analyses. */
import { readFileSync } from 'node:fs';
import { AfterMatchSkipStrategy, field, Pattern, type KeyState, type Match, type Matcher } from '../packages/core/src/index.ts';

/** The 20 rules of `w3-rules.json`: a name and a pattern expression of the conformance API. */
export const w3Rules: { name: string; pattern: string }[] = JSON.parse(readFileSync(new URL('../../shared/bench/w3-rules.json', import.meta.url), 'utf8')).rules;

/**
 * How W3's conditions are written. The file writes each as a function `e => e.code === "X"`:
 * - 'data': `field("code").eq("X")`, as Cepheus users write conditions (the W3 workload);
 * - 'in': an event-code list, `field("code").in(["X", "Z"])` (no event has code Z);
 * - 'and': two where calls, `.where(field("code").eq("X")).where(field("ts").ge(0))`;
 * - 'function': the functions as written, which the runtimes call.
 */
export type W3Form = 'data' | 'in' | 'and' | 'function';

const CODE_TEST = /\.where\(e => e\.code === ("[A-Z]")\)/g;

/** The rule's pattern with its conditions in the given form. */
export function w3Pattern<E>(rule: { pattern: string }, form: W3Form = 'data'): Pattern<E> {
  const replacement = {
    data: '.where(field("code").eq($1))',
    in: '.where(field("code").in([$1, "Z"]))',
    and: '.where(field("code").eq($1)).where(field("ts").ge(0))',
    function: '$&',
  }[form];
  const expr = rule.pattern.replace(CODE_TEST, replacement);
  if (form !== 'function' && expr.includes('=>')) throw new Error(`W3 rule not in the expected form: ${rule.pattern}`);
  return new Function('Pattern', 'AfterMatchSkipStrategy', 'field', `"use strict"; return (${expr});`)(Pattern, AfterMatchSkipStrategy, field);
}

/**
 * Each event to every rule, in order: advanceTime to the event's time, then process (as the
 * conformance cases drive a runtime). Returns how many matches the rules made.
 */
export function pushThrough<E extends { ts: number }>(nfas: readonly Matcher<E, KeyState>[], states: readonly KeyState[], events: readonly E[]): number {
  const out: Match<E>[] = [];
  let count = 0;
  for (const e of events) {
    for (let i = 0; i < nfas.length; i++) {
      nfas[i].advanceTime(states[i], e.ts, out);
      nfas[i].evaluate(e, e.ts);
      nfas[i].process(states[i], out);
    }
    if (out.length > 0) {
      count += out.length;
      out.length = 0; // a runtime call: made only when there is something to clear
    }
  }
  return count;
}
