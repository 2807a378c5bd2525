import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, NFA, PathNFA, type Matcher } from '../src/index.ts';
import { anySpec, buildPattern, inputs, trace, type Ev } from './arbitraries.ts';

describe('path runtime', () => {
  it('gives exactly what the shared-buffer NFA gives, in the same order, on any pattern', () => {
    fc.assert(
      fc.property(anySpec(), inputs, (spec, evs) => {
        let compiled;
        try {
          compiled = compilePattern(buildPattern(spec));
        } catch {
          return; // invalid pattern: the pattern tests cover those
        }
        const path: Matcher<Ev> = new PathNFA(compiled);
        expect(trace(path, evs)).toEqual(trace(new NFA(compiled), evs));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });
});
