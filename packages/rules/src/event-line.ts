import { EventError, normalizeEvent, parseExtra, parseTime, type StandardEvent } from './standard-event.js';

/** The input names of the standard event's fields (`--fields event_time=ts,...`). */
export interface EventFields {
  event_code: string;
  event_time: string;
  user_id: string;
  extra_info: string;
}

export const STANDARD_FIELDS: Readonly<EventFields> = Object.freeze({ event_code: 'event_code', event_time: 'event_time', user_id: 'user_id', extra_info: 'extra_info' });

/** Decodes one JSONL line, bytes[start, end) of UTF-8, into a standard event. */
export type EventLineDecoder = (bytes: Uint8Array, start?: number, end?: number) => StandardEvent;

/** UTF-8 to text as a stream decoder does it mid-stream: invalid bytes become U+FFFD, a BOM is kept. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
export const decodeUtf8 = (bytes: Uint8Array, start: number, end: number): string => utf8.decode(bytes.subarray(start, end));

/**
 * Decodes JSONL lines into standard events. The result is always that of decoding the line's
 * UTF-8, JSON.parse, reading the four fields (own properties only) and normalizeEvent: a malformed
 * line throws JSON.parse's SyntaxError, an invalid event an EventError.
 *
 * Why not just JSON.parse: it makes a string of the line and an object of every field, and the
 * engine reads four of them. The scanner below reads the line's bytes in place, checks the JSON
 * grammar of the object, and only makes values of the four fields: strings without escapes and
 * integers directly, anything else (escapes, non-ASCII text, nested objects, fractions) with
 * JSON.parse or the UTF-8 decoder on that value alone. Whenever it is unsure (a value it cannot
 * parse, broken grammar), the whole line goes to JSON.parse, which decides and words the error.
 */
export function eventLineDecoder(fields: EventFields = STANDARD_FIELDS): EventLineDecoder {
  const names = [fields.event_code, fields.event_time, fields.user_id, fields.extra_info];
  // the distinct input keys (two fields may read the same key), and which one each field reads
  const keys = [...new Set(names)];
  const [code, time, user, extra] = names.map((n) => keys.indexOf(n));
  const scanner = new FlatScanner(keys);
  const found = scanner.found;
  const general = (line: string): StandardEvent => {
    const raw: unknown = JSON.parse(line);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return normalizeEvent(raw);
    const r = raw as Record<string, unknown>;
    const own = (k: string) => (Object.hasOwn(r, k) ? r[k] : undefined);
    return normalizeEvent({ event_code: own(names[0]), event_time: own(names[1]), user_id: own(names[2]), extra_info: own(names[3]) });
  };
  return (bytes, start = 0, end = bytes.length) => {
    if (!scanner.scan(bytes, start, end)) return general(decodeUtf8(bytes, start, end));
    const eventCode = found[code];
    if (typeof eventCode !== 'string' || eventCode === '') throw new EventError('event_code must be a non-empty string');
    const userId = found[user];
    if (typeof userId !== 'string' && !(typeof userId === 'number' && Number.isFinite(userId))) throw new EventError('user_id must be a string or a number');
    return { event_code: eventCode, event_time: parseTime(found[time]), user_id: userId, extra_info: parseExtra(found[extra]) };
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

/** Scans one JSON object per line and keeps the values of `keys` (see eventLineDecoder). */
class FlatScanner {
  /** The value of each key after a successful scan (undefined: absent; the last occurrence wins, as in JSON.parse). */
  readonly found: unknown[];
  private readonly keyBytes: Uint8Array[];
  private bytes: Uint8Array = new Uint8Array(0);
  private end = 0;
  /** Set by a string scan: the string has an escape or a byte above ASCII. */
  private special = false;

  constructor(private readonly keys: string[]) {
    this.found = keys.map(() => undefined);
    const encoder = new TextEncoder();
    this.keyBytes = keys.map((k) => encoder.encode(k));
  }

  /** Scans bytes[start, end) as a JSON object; false (nothing decided) for anything it does not handle. */
  scan(bytes: Uint8Array, start: number, end: number): boolean {
    this.bytes = bytes;
    this.end = end;
    const found = this.found;
    for (let k = 0; k < found.length; k++) found[k] = undefined;
    let i = this.space(start);
    if (i >= end || bytes[i] !== OPEN_BRACE) return false;
    i = this.space(i + 1);
    if (i < end && bytes[i] === CLOSE_BRACE) return this.space(i + 1) === end;
    for (;;) {
      if (i >= end || bytes[i] !== QUOTE) return false;
      const keyEnd = this.stringEnd(i + 1);
      if (keyEnd < 0) return false;
      const key = this.special ? this.keyOfText(i, keyEnd + 1) : this.keyAt(i + 1, keyEnd);
      if (key === -2) return false;
      i = this.space(keyEnd + 1);
      if (i >= end || bytes[i] !== COLON) return false;
      i = this.space(i + 1);
      if (i >= end) return false;
      const valueEnd = this.value(i, key);
      if (valueEnd < 0) return false;
      i = this.space(valueEnd);
      if (i >= end) return false;
      const sep = bytes[i];
      if (sep === CLOSE_BRACE) return this.space(i + 1) === end;
      if (sep !== COMMA) return false;
      i = this.space(i + 1);
    }
  }

  /** Scans the value at `i` (storing it as key `key` when key >= 0); its end, or -1. */
  private value(i: number, key: number): number {
    const bytes = this.bytes;
    const c = bytes[i];
    if (c === QUOTE) {
      const close = this.stringEnd(i + 1);
      if (close < 0) return -1;
      if (key < 0) return close + 1;
      const v = this.special ? this.parse(i, close + 1) : ascii(bytes, i + 1, close);
      if (v === INVALID) return -1;
      this.found[key] = v;
      return close + 1;
    }
    if (c === MINUS || (c >= 48 && c <= 57)) return this.number(i, key);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = this.nestedEnd(i);
      // a nested value is parsed on its own even when unused: it must be valid JSON
      if (close < 0) return -1;
      const v = this.parse(i, close);
      if (v === INVALID) return -1;
      if (key >= 0) this.found[key] = v;
      return close;
    }
    const literal = c === 116 /* t */ ? TRUE : c === 102 /* f */ ? FALSE : c === 110 /* n */ ? NULL : undefined;
    if (literal === undefined || !this.matches(i, literal.bytes)) return -1;
    if (key >= 0) this.found[key] = literal.value;
    return i + literal.bytes.length;
  }

  /** A number literal at `i`, checked against JSON's grammar. */
  private number(i: number, key: number): number {
    const bytes = this.bytes;
    const end = this.end;
    const start = i;
    if (bytes[i] === MINUS) i++;
    if (i >= end) return -1;
    if (bytes[i] === 48) i++;
    else if (isDigit(bytes[i])) while (i < end && isDigit(bytes[i])) i++;
    else return -1;
    let integral = true;
    if (i < end && bytes[i] === 46 /* . */) {
      integral = false;
      const digits = ++i;
      while (i < end && isDigit(bytes[i])) i++;
      if (i === digits) return -1;
    }
    if (i < end && (bytes[i] === 101 || bytes[i] === 69) /* e E */) {
      integral = false;
      i++;
      if (i < end && (bytes[i] === 43 || bytes[i] === MINUS)) i++;
      const digits = i;
      while (i < end && isDigit(bytes[i])) i++;
      if (i === digits) return -1;
    }
    // JSON.parse reads numbers as Number() does; integers of up to 15 digits are exact in arithmetic
    if (key >= 0) this.found[key] = integral && i - start <= 15 ? integer(bytes, start, i) : Number(ascii(bytes, start, i));
    return i;
  }

  /**
   * The index of the quote that closes a string whose text starts at `i`, or -1 for an invalid
   * string (a raw control character, a bad escape); sets `special` when it has escapes or non-ASCII text.
   */
  private stringEnd(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let special = false;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c === QUOTE) {
        this.special = special;
        return i;
      }
      if (c < 32) return -1; // a raw control character: invalid JSON
      if (c === BACKSLASH) {
        special = true;
        const e = bytes[++i];
        if (e === 117 /* u */) {
          for (let h = 0; h < 4; h++) if (!isHex(bytes[++i])) return -1;
        } else if (!(e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) /* / b f n r t */) {
          return -1;
        }
      } else if (c > 127) {
        special = true;
      }
    }
    return -1;
  }

  /** The end of the object or array at `i` (after its closing bracket), skipping strings; -1 if none. */
  private nestedEnd(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let depth = 0;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c === QUOTE) {
        i = this.stringEnd(i + 1);
        if (i < 0) return -1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }

  /** JSON.parse of bytes[start, end) (INVALID when it throws: the line's own parse will say why). */
  private parse(start: number, end: number): unknown {
    try {
      return JSON.parse(decodeUtf8(this.bytes, start, end));
    } catch {
      return INVALID;
    }
  }

  /** Which key the escape-free ASCII or UTF-8 key text bytes[start, end) is, or -1. */
  private keyAt(start: number, end: number): number {
    const bytes = this.bytes;
    const n = end - start;
    next: for (let k = 0; k < this.keyBytes.length; k++) {
      const key = this.keyBytes[k];
      if (key.length !== n) continue;
      for (let j = 0; j < n; j++) if (key[j] !== bytes[start + j]) continue next;
      return k;
    }
    return -1;
  }

  /** Which key the quoted key bytes[start, end) with escapes or non-ASCII text is: -1 none, -2 invalid. */
  private keyOfText(start: number, end: number): number {
    const text = this.parse(start, end);
    return typeof text === 'string' ? this.keys.indexOf(text) : -2;
  }

  private matches(i: number, word: Uint8Array): boolean {
    if (i + word.length > this.end) return false;
    for (let j = 0; j < word.length; j++) if (this.bytes[i + j] !== word[j]) return false;
    return true;
  }

  /** JSON whitespace: space, tab, carriage return, line feed. */
  private space(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    while (i < end) {
      const c = bytes[i];
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      i++;
    }
    return i;
  }
}

const INVALID: unique symbol = Symbol('invalid');
const word = (w: string, value: unknown) => ({ bytes: new TextEncoder().encode(w), value });
const TRUE = word('true', true);
const FALSE = word('false', false);
const NULL = word('null', null);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Text of ASCII bytes. */
function ascii(bytes: Uint8Array, start: number, end: number): string {
  switch (end - start) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(bytes[start]);
    case 2:
      return String.fromCharCode(bytes[start], bytes[start + 1]);
    default:
      return end - start <= 16 ? String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]) : utf8.decode(bytes.subarray(start, end));
  }
}

/** An integer literal's value (digits checked by the caller, at most 15). */
function integer(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === MINUS;
  let v = 0;
  for (let i = negative ? start + 1 : start; i < end; i++) v = v * 10 + (bytes[i] - 48);
  return negative ? -v : v;
}
