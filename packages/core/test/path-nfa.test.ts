import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, NFA, PathNFA, type Matcher } from '../src/index.ts';
import { anySpec, buildPattern, inputs, trace, type PatternSpec, type Ev } from './arbitraries.ts';

/** Holds the path runtime to the shared-buffer NFA: same matches, timeouts and errors, in the same order. */
function agrees(spec: PatternSpec, evs: Parameters<typeof trace>[1]): void {
  let compiled;
  try {
    compiled = compilePattern(buildPattern(spec));
  } catch {
    return; // invalid pattern: the pattern tests cover those
  }
  const path: Matcher<Ev> = new PathNFA(compiled);
  expect(trace(path, evs)).toEqual(trace(new NFA(compiled), evs));
}

/** Patterns that end in a negation (most random ones do not): runs that complete by ignoring an event, or on time. */
const endsInNegation = anySpec().chain((spec) =>
  fc.constantFrom('notNext' as const, 'notFollowedBy' as const).map((link) => ({ ...spec, steps: [...spec.steps.slice(0, -1), { ...spec.steps[spec.steps.length - 1], link }] })),
);

describe('path runtime', () => {
  it('gives exactly what the shared-buffer NFA gives, in the same order, on any pattern', () => {
    fc.assert(fc.property(anySpec(), inputs, agrees), { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) });
  });

  it('gives exactly what the shared-buffer NFA gives on patterns that end in a negation', () => {
    fc.assert(fc.property(endsInNegation, inputs, agrees), { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) });
  });
});
