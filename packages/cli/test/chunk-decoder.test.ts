import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkDecoder } from '../src/chunk-decoder.ts';

/** Bytes biased towards the cases that matter: ASCII runs, multi-byte characters, a BOM, invalid bytes. */
const piece = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((s) => Buffer.from(s)),
  fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => Buffer.from(s)),
  fc.constant(Buffer.from([0xef, 0xbb, 0xbf])),
  fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
);
const input = fc.array(piece, { maxLength: 12 }).map((ps) => Buffer.concat(ps));

/** Decodes `bytes` cut at the given points, through ChunkDecoder and through TextDecoder. */
function both(bytes: Buffer, cuts: number[]): [string, string] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  const ours = new ChunkDecoder();
  const reference = new TextDecoder();
  let a = '';
  let b = '';
  for (const c of chunks) {
    a += ours.write(c);
    b += reference.decode(c, { stream: true });
  }
  return [a + ours.end(), b + reference.decode()];
}

describe('ChunkDecoder', () => {
  it('decodes chunked bytes exactly as a streaming TextDecoder does', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const [ours, reference] = both(bytes, cuts);
        expect(ours).toBe(reference);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000) },
    );
  });

  it('counts the invalid byte sequences it replaces, wherever the chunks are cut', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        fc.pre(!bytes.includes(Buffer.from('\ufffd'))); // a valid U+FFFD cut in two would count
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new ChunkDecoder();
        let invalid = 0;
        let from = 0;
        for (const p of [...points, bytes.length]) {
          decoder.write(bytes.subarray(from, p));
          invalid += decoder.invalid;
          from = p;
        }
        decoder.end();
        invalid += decoder.invalid;
        expect(invalid > 0).toBe(!isUtf8(bytes));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000) },
    );
  });

  it('joins a character split across chunks that end in ASCII-looking positions, and drops only a leading BOM', () => {
    const euro = Buffer.from('a€b'); // 61 e2 82 ac 62
    expect(both(euro, [2, 3])).toEqual(['a€b', 'a€b']);
    expect(both(Buffer.from('\ufeffx\ufeff'), [1, 4])[0]).toBe('x\ufeff');
    expect(both(Buffer.from([0xe2, 0x82, 0x61]), [2])[0]).toBe('\ufffda');
  });
});
