import { LineShape, SHORT_STRING, type ValueReader } from './line-shape.js';
import { normalizeEvent, standardEvent, type StandardEvent } from './standard-event.js';
import type { TimeReader } from './time.js';

/** The input names of the standard event's fields (`--fields event_time=ts,...`). */
export interface EventFields {
  event_code: string;
  event_time: string;
  user_id: string;
  extra_info: string;
}

export const STANDARD_FIELDS: Readonly<EventFields> = Object.freeze({ event_code: 'event_code', event_time: 'event_time', user_id: 'user_id', extra_info: 'extra_info' });

/** Decodes one JSONL line, text[start, end), into a standard event. */
export type EventLineDecoder = (text: string, start?: number, end?: number) => StandardEvent;

/**
 * Decodes JSONL lines into standard events. The result is always that of JSON.parse of the line,
 * reading the four fields (own properties only) and normalizeEvent: a malformed line throws
 * JSON.parse's SyntaxError, an invalid event an EventError.
 *
 * Why not just JSON.parse: it needs a string of the line and makes an object of every field, and
 * the engine reads four of them. The scanner below reads the line in place in the text read (a
 * chunk of the input), checks the JSON grammar of the object, and makes values of the four fields
 * only; a nested value (the seed's extra_info object) is made only when it is one of them. Anything
 * it is unsure of (broken grammar, nesting deeper than MAX_DEPTH) sends the whole line to
 * JSON.parse, which decides and words the error.
 */
export function eventLineDecoder(fields: EventFields = STANDARD_FIELDS, times?: TimeReader): EventLineDecoder {
  const names = [fields.event_code, fields.event_time, fields.user_id, fields.extra_info];
  // the distinct input keys (two fields may read the same key), and which one each field reads
  const keys = [...new Set(names)];
  const [code, time, user, extra] = names.map((n) => keys.indexOf(n));
  const scanner = new LineScanner(keys);
  const found = scanner.found;
  const general = (line: string): StandardEvent => {
    const raw: unknown = JSON.parse(line);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return normalizeEvent(raw, times);
    const r = raw as Record<string, unknown>;
    const own = (k: string) => (Object.hasOwn(r, k) ? r[k] : undefined);
    return standardEvent(own(names[0]), own(names[1]), own(names[2]), own(names[3]), times);
  };
  // Speculation with backoff: after a line the scanner gave up on, the next ones (1, 2, 4, ...
  // up to 1024) go straight to JSON.parse, so input the scanner cannot read (nesting deeper than
  // MAX_DEPTH, say) costs little scanning.
  let skip = 0;
  let backoff = 1;
  return (text, start = 0, end = text.length) => {
    if (skip > 0) {
      skip--;
      return general(text.slice(start, end));
    }
    if (!scanner.scan(text, start, end)) {
      skip = backoff;
      backoff = Math.min(backoff * 2, 1024);
      return general(text.slice(start, end));
    }
    backoff = 1;
    return standardEvent(found[code], found[time], found[user], found[extra], times);
  };
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
/** Member names of nested objects the scanner keeps for reuse. */
const NAMES = 8;
/** Nesting the scanner reads; deeper values send the line to JSON.parse. */
const MAX_DEPTH = 32;
/** Lines in a row that miss the shape in use before a line's own shape replaces it. */
const SHAPE_MISSES = 4;

/** Scans one JSON object per line and keeps the values of `keys` (see eventLineDecoder). */
class LineScanner implements ValueReader {
  /**
   * The value of each key after a successful scan (undefined: absent; the last occurrence wins, as
   * in JSON.parse), and one slot more (`scratch`) for the members of a nested value being made.
   */
  readonly found: unknown[];
  private readonly scratch: number;
  /** The nested value composite made. */
  private made: unknown = undefined;
  /** Member names of nested objects made before (at most NAMES, replaced in turn), and the next to replace. */
  private readonly names: string[] = [];
  private nextName = 0;
  private text = '';
  private end = 0;
  /** Set by a string scan: the string has an escape. */
  private escaped = false;
  /** The shape lines are read as first (see LineShape), and how many lines in a row missed it. */
  private shape: LineShape | null = null;
  private misses = 0;
  /** The line being scanned becomes the shape: its values are recorded (where each starts and ends, its key). */
  private learning = false;
  private members = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly slots: number[] = [];

  /** The wanted keys by their first character (ASCII), for keys a line can spell without escapes. */
  private readonly keysByFirst: (number[] | undefined)[] = [];
  /** Some wanted key is empty or starts with a non-ASCII character: unescaped keys are also compared whole. */
  private readonly unusualKeys: boolean;

  constructor(private readonly keys: string[]) {
    this.found = [...keys.map(() => undefined), undefined];
    this.scratch = keys.length;
    this.unusualKeys = keys.some((key) => key === '' || key.charCodeAt(0) >= 128);
    keys.forEach((key, k) => {
      const first = key.charCodeAt(0);
      // a key with a quote, backslash or control character appears escaped in JSON: found by the escaped path
      if (key === '' || first >= 128 || /["\\\u0000-\u001f]/.test(key)) return;
      (this.keysByFirst[first] ??= []).push(k);
    });
  }

  /** Scans text[start, end) as a JSON object; false (nothing decided) for anything it does not handle. */
  scan(text: string, start: number, end: number): boolean {
    this.text = text;
    this.end = end;
    if (this.shape !== null) {
      if (this.shape.read(text, start, end, this)) {
        this.misses = 0;
        return true;
      }
      this.misses++;
    }
    // a line in a new shape: later lines are read as it (after a few misses of the shape in use)
    this.learning = this.shape === null || this.misses >= SHAPE_MISSES;
    this.members = 0;
    const found = this.found;
    for (let k = 0; k < found.length; k++) found[k] = undefined;
    if (!this.scanObject(text, start, end)) return false;
    if (this.learning) {
      this.shape = this.shapeOf(text, start, end);
      this.misses = 0;
    }
    return true;
  }

  /** The shape of the line just scanned, from the values it recorded. */
  private shapeOf(text: string, start: number, end: number): LineShape {
    const n = this.members;
    const texts: string[] = [];
    let from = start;
    for (let m = 0; m < n; m++) {
      texts.push(text.slice(from, this.starts[m]));
      from = this.ends[m];
    }
    texts.push(text.slice(from, end));
    return new LineShape(texts, Int32Array.from(this.slots.slice(0, n)));
  }

  /** Notes the value just scanned for the line's shape: where it is and its key. */
  private record(start: number, end: number, key: number): void {
    const m = this.members++;
    this.starts[m] = start;
    this.ends[m] = end;
    this.slots[m] = key;
  }

  private scanObject(text: string, start: number, end: number): boolean {
    let i = this.space(start);
    if (i >= end || text.charCodeAt(i) !== OPEN_BRACE) return false;
    i = this.space(i + 1);
    if (i < end && text.charCodeAt(i) === CLOSE_BRACE) return this.space(i + 1) === end;
    for (;;) {
      if (i >= end || text.charCodeAt(i) !== QUOTE) return false;
      // a wanted key, spelled without escapes, is read in one pass; any other key is scanned as a string
      let key = this.wantedKeyAt(i + 1);
      let keyEnd: number;
      if (key >= 0) keyEnd = i + 1 + this.keys[key].length;
      else {
        keyEnd = this.stringEnd(i + 1);
        if (keyEnd < 0) return false;
        if (this.escaped) key = this.keys.indexOf(this.parse(i, keyEnd + 1) as string);
        else if (this.unusualKeys) key = this.keys.indexOf(text.slice(i + 1, keyEnd)); // empty or non-ASCII wanted keys
      }
      i = this.space(keyEnd + 1);
      if (i >= end || text.charCodeAt(i) !== COLON) return false;
      i = this.space(i + 1);
      if (i >= end) return false;
      const valueEnd = this.value(i, key);
      if (valueEnd < 0) return false;
      if (this.learning) this.record(i, valueEnd, key);
      i = this.space(valueEnd);
      if (i >= end) return false;
      const sep = text.charCodeAt(i);
      if (sep === CLOSE_BRACE) return this.space(i + 1) === end;
      if (sep !== COMMA) return false;
      i = this.space(i + 1);
    }
  }

  /** Scans the value at `i` (storing it as key `key` when key >= 0), inside `depth` objects or arrays; its end, or -1. */
  value(i: number, key: number, depth = 0): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = this.stringEnd(i + 1);
      if (close < 0) return -1;
      if (key < 0) return close + 1;
      // A slice of 13 characters or more would be a view that keeps the whole chunk of input alive
      // as long as the event is in some window: longer values are made by JSON.parse, as copies.
      this.found[key] = this.escaped || close - i > SHORT_STRING ? this.parse(i, close + 1) : text.slice(i + 1, close);
      return close + 1;
    }
    if (c === MINUS || (c >= 48 && c <= 57)) return this.number(i, key);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = depth < MAX_DEPTH ? this.composite(i, key >= 0, depth + 1) : -1;
      if (close >= 0 && key >= 0) this.found[key] = this.made;
      return close;
    }
    const literal = c === 116 /* t */ ? TRUE : c === 102 /* f */ ? FALSE : c === 110 /* n */ ? NULL : undefined;
    if (literal === undefined || !this.matches(i, literal.text)) return -1;
    if (key >= 0) this.found[key] = literal.value;
    return i + literal.text.length;
  }

  /**
   * The object or array at `i`, the `depth`-th one a value is in, checked against JSON's grammar:
   * its end, or -1. When `make`, its value (as JSON.parse makes it) is left in `made`; its members
   * are read through the scratch slot.
   */
  private composite(i: number, make: boolean, depth: number): number {
    const text = this.text;
    const end = this.end;
    const found = this.found;
    const slot = make ? this.scratch : -1;
    const isObject = text.charCodeAt(i) === OPEN_BRACE;
    const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
    const value: Record<string, unknown> | unknown[] | null = make ? (isObject ? {} : []) : null;
    i = this.space(i + 1);
    if (i < end && text.charCodeAt(i) === close) {
      this.made = value;
      return i + 1;
    }
    for (;;) {
      let name = '';
      if (isObject) {
        if (i >= end || text.charCodeAt(i) !== QUOTE) return -1;
        const nameEnd = this.stringEnd(i + 1);
        if (nameEnd < 0) return -1;
        if (make) name = this.escaped ? this.parse(i, nameEnd + 1) : this.memberName(i + 1, nameEnd);
        i = this.space(nameEnd + 1);
        if (i >= end || text.charCodeAt(i) !== COLON) return -1;
        i = this.space(i + 1);
      }
      if (i >= end) return -1;
      const valueEnd = this.value(i, slot, depth);
      if (valueEnd < 0) return -1;
      if (value !== null) {
        if (!isObject) (value as unknown[]).push(found[slot]);
        // JSON.parse makes "__proto__" an own property; assigning it would set the prototype
        else if (name === '__proto__') Object.defineProperty(value, name, { value: found[slot], writable: true, enumerable: true, configurable: true });
        else (value as Record<string, unknown>)[name] = found[slot];
      }
      i = this.space(valueEnd);
      if (i >= end) return -1;
      const sep = text.charCodeAt(i);
      if (sep === close) {
        this.made = value;
        return i + 1;
      }
      if (sep !== COMMA) return -1;
      i = this.space(i + 1);
    }
  }

  /**
   * The member name text[start, end): one made before when the text spells it. A nested object's
   * names repeat line after line, and a name made afresh costs a string and a look-up of its
   * internalized form each time it names a property.
   */
  private memberName(start: number, end: number): string {
    const names = this.names;
    const n = end - start;
    next: for (let k = 0; k < names.length; k++) {
      const name = names[k];
      if (name.length !== n) continue;
      for (let j = 0; j < n; j++) if (name.charCodeAt(j) !== this.text.charCodeAt(start + j)) continue next;
      return name;
    }
    const name = this.text.slice(start, end);
    if (n <= SHORT_STRING) names[this.nextName++ % NAMES] = name; // a longer slice would keep the chunk alive
    return name;
  }

  /** A number literal at `i`, checked against JSON's grammar. */
  private number(i: number, key: number): number {
    const text = this.text;
    const end = this.end;
    const start = i;
    const negative = text.charCodeAt(i) === MINUS;
    if (negative) i++;
    if (i >= end) return -1;
    // the integer part's value is read as it is checked (exact for up to 15 digits)
    let v = text.charCodeAt(i) - 48;
    if (v === 0) i++;
    else if (v > 0 && v <= 9) {
      for (i++; i < end; i++) {
        const d = text.charCodeAt(i) - 48;
        if (!(d >= 0 && d <= 9)) break;
        v = v * 10 + d;
      }
    } else return -1;
    // what follows the integer part: usually the value's end (, } or a space)
    const next = i < end ? text.charCodeAt(i) : 0;
    if (next === COMMA || next === CLOSE_BRACE) {
      if (key >= 0) this.found[key] = i - start <= 15 ? (negative ? -v : v) : Number(text.slice(start, i));
      return i;
    }
    let integral = true;
    if (next === 46 /* . */) {
      integral = false;
      const digits = ++i;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (i === digits) return -1;
    }
    if (i < end && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69) /* e E */) {
      integral = false;
      i++;
      if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === MINUS)) i++;
      const digits = i;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (i === digits) return -1;
    }
    // JSON.parse reads numbers as Number() does; integers of up to 15 digits are exact in arithmetic
    if (key >= 0) this.found[key] = integral && i - start <= 15 ? (negative ? -v : v) : Number(text.slice(start, i));
    return i;
  }

  /**
   * The index of the quote that closes a string whose text starts at `i`, or -1 for an invalid
   * string (a raw control character, a bad escape); sets `escaped` when it has escapes.
   */
  private stringEnd(i: number): number {
    const text = this.text;
    const end = this.end;
    let escaped = false;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.escaped = escaped;
        return i;
      }
      if (c < 32) return -1; // a raw control character: invalid JSON
      if (c === BACKSLASH) {
        escaped = true;
        const e = text.charCodeAt(++i);
        if (e === 117 /* u */) {
          for (let h = 0; h < 4; h++) if (!isHex(text.charCodeAt(++i))) return -1;
        } else if (!(e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) /* / b f n r t */) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** The value of the string text[start, end), quotes included (stringEnd checked it: JSON.parse cannot fail). */
  private parse(start: number, end: number): string {
    return JSON.parse(this.text.slice(start, end)) as string;
  }

  /** Which wanted key text[start, ...) spells, closing quote included (keys have no quote or backslash), or -1. */
  private wantedKeyAt(start: number): number {
    const text = this.text;
    const first = text.charCodeAt(start);
    const candidates = first < 128 ? this.keysByFirst[first] : undefined;
    if (candidates === undefined) return -1;
    next: for (let c = 0; c < candidates.length; c++) {
      const k = candidates[c];
      const key = this.keys[k];
      const n = key.length;
      if (start + n >= this.end || text.charCodeAt(start + n) !== QUOTE) continue;
      for (let j = 1; j < n; j++) if (key.charCodeAt(j) !== text.charCodeAt(start + j)) continue next;
      return k;
    }
    return -1;
  }

  private matches(i: number, word: string): boolean {
    return i + word.length <= this.end && this.text.startsWith(word, i);
  }

  private space(i: number): number {
    // JSONL is mostly written without spaces: a character above the space (or none: NaN) ends them
    return this.text.charCodeAt(i) > 32 ? i : skipSpace(this.text, i, this.end);
  }
}

const word = (text: string, value: unknown) => ({ text, value });
const TRUE = word('true', true);
const FALSE = word('false', false);
const NULL = word('null', null);

/** Skips JSON whitespace (space, tab, carriage return, line feed) in text[i, end). */
function skipSpace(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}

/** A line of JSON whitespace only (input files may have blank lines between events). */
export const isBlankLine = (text: string, start = 0, end = text.length): boolean => skipSpace(text, start, end) === end;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
