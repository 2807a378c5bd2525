/**
 * A string value (quotes included) shorter than this is copied by slice: V8 makes longer slices
 * views of their source, which would keep the whole chunk of input alive as long as the event is in
 * some window, so longer ones are made by JSON.parse, as copies.
 */
export const SHORT_STRING = 13;

const QUOTE = 34;
const BACKSLASH = 92;

/** Reads one JSON value of the line being read: its end, or -1 when the value breaks JSON's grammar or nests too deep (see LineScanner). */
export interface ValueReader {
  /** Found values by key index, reset before each line. */
  readonly found: unknown[];
  /** Reads the value at `i`, storing it as key `key` when key >= 0. */
  value(i: number, key: number): number;
}

/**
 * The shape of a JSON line: the text between its top-level values (braces, keys, colons, commas and
 * spaces, exactly as written) and, for each value, the wanted key it is (-1: none). A producer
 * writes every event in one shape, so a line is first read as the shape of an earlier one: the
 * text between values is compared character for character and each value read where it stands,
 * without recognizing keys or deciding the grammar between values again. Such a line has the same
 * keys, in the same order, as the line the shape was taken from, so it means what that line's scan
 * decided; anything else fails the comparison and the line is scanned in full.
 */
export class LineShape {
  /** The texts between values, one after another, and where each begins (n + 1 texts for n values). */
  private readonly between: Uint16Array;
  private readonly offsets: Int32Array;

  constructor(
    texts: readonly string[],
    private readonly keys: Int32Array,
  ) {
    this.offsets = new Int32Array(texts.length + 1);
    texts.forEach((t, i) => {
      this.offsets[i + 1] = this.offsets[i] + t.length;
    });
    this.between = new Uint16Array(this.offsets[texts.length]);
    texts.forEach((t, i) => {
      for (let j = 0; j < t.length; j++) this.between[this.offsets[i] + j] = t.charCodeAt(j);
    });
  }

  /** Reads text[start, end) through `values` if it has this shape; false otherwise. */
  read(text: string, start: number, end: number, values: ValueReader): boolean {
    const found = values.found;
    for (let k = 0; k < found.length; k++) found[k] = undefined;
    const keys = this.keys;
    let i = this.skipBetween(0, text, start, end);
    for (let v = 0; v < keys.length; v++) {
      if (i < 0) return false;
      const key = keys[v];
      const from = i;
      const c = text.charCodeAt(i);
      // the usual values, an integer of up to 15 digits or a short string without escapes, are
      // read here; any other is read by `values`, as the scanner reads it
      if (c >= 48 && c <= 57) {
        let n = c - 48;
        i++;
        if (n !== 0) {
          for (; i < end; i++) {
            const d = text.charCodeAt(i) - 48;
            if (!(d >= 0 && d <= 9)) break;
            n = n * 10 + d;
          }
        }
        const after = i < end ? text.charCodeAt(i) : 0;
        if (i - from <= 15 && after !== 46 /* . */ && after !== 101 /* e */ && after !== 69 /* E */ && !(after >= 48 && after <= 57)) {
          if (key >= 0) found[key] = n;
        } else i = values.value(from, key);
      } else if (c === QUOTE) {
        for (i++; i < end; i++) {
          const d = text.charCodeAt(i);
          if (d === QUOTE || d === BACKSLASH || d < 32) break;
        }
        if (i < end && text.charCodeAt(i) === QUOTE && i - from <= SHORT_STRING) {
          if (key >= 0) found[key] = text.slice(from + 1, i);
          i++;
        } else i = values.value(from, key);
      } else i = values.value(i, key);
      if (i < 0) return false;
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
