import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathReader, readPath } from '../src/expressions.ts';

const key = fc.constantFrom('a', 'b', 'extra_info', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '0');
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.constantFrom(null, undefined, 0, 'x', true), fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
})).v;

describe('pathReader', () => {
  it('reads exactly what readPath reads: own properties only, for paths of any length', () => {
    fc.assert(
      fc.property(value, fc.array(key, { minLength: 1, maxLength: 3 }), (v, path) => {
        expect(pathReader(path)(v)).toBe(readPath(v, path));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });

  it('never reaches a prototype', () => {
    expect(pathReader(['constructor'])({})).toBeUndefined();
    expect(pathReader(['extra_info', 'toString'])({ extra_info: {} })).toBeUndefined();
    expect(pathReader(['__proto__', 'constructor'])({})).toBeUndefined();
  });
});
