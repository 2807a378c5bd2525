/** A value a shape can read: a string without escapes, or an integer of at most 15 characters. */
export const STRING = 1;
export const INTEGER = 2;

/**
 * A string value (quotes included) shorter than this is copied by slice: V8 makes longer slices
 * views of their source, which would keep the whole chunk of input alive as long as the event is in
 * some window, so longer ones are made by JSON.parse, as copies.
 */
export const SHORT_STRING = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;

/**
 * The shape of a flat JSON line: the text between its values (braces, keys, colons, commas and
 * spaces, exactly as written), and for each value its kind and the wanted key it is (-1: none).
 * A producer writes every event in one shape, so a line is first read as the shape of an earlier
 * one: the text between values is compared, character for character, and the values are read
 * where they stand, with none of the grammar's decisions. Such a line has the same keys, in the
 * same order, as the line the shape was taken from, so it means what that line's scan decided;
 * anything else (another key, a fraction, an escape, a literal) fails the comparison and the line
 * is scanned in full.
 */
export class LineShape {
  /** The texts between values, one after another, and where each begins (n + 1 texts for n values). */
  private readonly between: Uint16Array;
  private readonly offsets: Int32Array;

  constructor(
    texts: readonly string[],
    private readonly kinds: Uint8Array,
    private readonly keys: Int32Array,
  ) {
    this.offsets = new Int32Array(texts.length + 1);
    texts.forEach((t, i) => (this.offsets[i + 1] = this.offsets[i] + t.length));
    this.between = new Uint16Array(this.offsets[texts.length]);
    texts.forEach((t, i) => {
      for (let j = 0; j < t.length; j++) this.between[this.offsets[i] + j] = t.charCodeAt(j);
    });
  }

  /** Reads text[start, end) into `found` (by key index) if it has this shape; false otherwise. */
  read(text: string, start: number, end: number, found: unknown[]): boolean {
    for (let k = 0; k < found.length; k++) found[k] = undefined;
    const kinds = this.kinds;
    let i = this.skipBetween(0, text, start, end);
    for (let v = 0; v < kinds.length; v++) {
      if (i < 0) return false;
      const key = this.keys[v];
      if (kinds[v] === INTEGER) {
        // -?(0|[1-9][0-9]*), exact as read for up to 15 characters
        const from = i;
        const negative = text.charCodeAt(i) === MINUS;
        if (negative) i++;
        let n = text.charCodeAt(i) - 48;
        if (n === 0) i++;
        else if (n > 0 && n <= 9) {
          for (i++; i < end; i++) {
            const d = text.charCodeAt(i) - 48;
            if (!(d >= 0 && d <= 9)) break;
            n = n * 10 + d;
          }
        } else return false;
        if (i - from > 15) return false;
        if (key >= 0) found[key] = negative ? -n : n;
      } else {
        if (text.charCodeAt(i) !== QUOTE) return false;
        const from = ++i;
        for (; i < end; i++) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) break;
          if (c === BACKSLASH || c < 32) return false;
        }
        if (i >= end) return false;
        if (key >= 0) found[key] = i - from + 1 > SHORT_STRING ? JSON.parse(text.slice(from - 1, i + 1)) : text.slice(from, i);
        i++;
      }
      i = this.skipBetween(v + 1, text, i, end);
    }
    return i === end;
  }

  /** Where the b-th text between values ends, if text[i, ...) spells it; else -1. */
  private skipBetween(b: number, text: string, i: number, end: number): number {
    const between = this.between;
    const from = this.offsets[b];
    const n = this.offsets[b + 1] - from;
    if (i + n > end) return -1;
    for (let j = 0; j < n; j++) if (text.charCodeAt(i + j) !== between[from + j]) return -1;
    return i + n;
  }
}
