/** W3's rules and loop, shared by the benchmark (workload.ts) and the W3 analyses. */
import { readFileSync } from 'node:fs';
import type { KeyState, Match, Matcher } from '../packages/core/src/index.ts';

/** The 20 rules of `w3-rules.json`: a name and a pattern expression of the conformance API. */
export const w3Rules: { name: string; pattern: string }[] = JSON.parse(readFileSync(new URL('../../shared/bench/w3-rules.json', import.meta.url), 'utf8')).rules;

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
      nfas[i].process(states[i], e, e.ts, out);
    }
    if (out.length > 0) {
      count += out.length;
      out.length = 0; // a runtime call: made only when there is something to clear
    }
  }
  return count;
}
