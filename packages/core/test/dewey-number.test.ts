import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCompatible } from '../src/nfa/dewey-number.ts';

/** Flink's DeweyNumber.isCompatibleWith, written as its definition. */
function reference(v: number[], other: number[]): boolean {
  if (v.length > other.length) return other.every((d, i) => d === v[i]);
  if (v.length === other.length) {
    const last = v.length - 1;
    return other.slice(0, last).every((d, i) => d === v[i]) && v[last] >= other[last];
  }
  return false;
}

describe('Dewey numbers', () => {
  it('are compatible exactly as Flink defines it', () => {
    const digits = fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 6 });
    // versions of one run share prefixes: derive the second from the first most of the time
    const pair = fc.oneof(
      fc.tuple(digits, digits),
      fc.tuple(digits, fc.nat(6), digits).map(([v, cut, tail]) => [v, [...v.slice(0, cut), ...tail]] as [number[], number[]]),
    );
    fc.assert(
      fc.property(pair, ([v, other]) => {
        expect(isCompatible(v, other)).toBe(reference(v, other));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000) },
    );
  });
});
