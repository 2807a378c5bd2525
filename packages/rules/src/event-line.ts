import { EventError, normalizeEvent, parseExtra, parseTime, type StandardEvent } from './standard-event.js';

/** The input names of the standard event's fields (`--fields event_time=ts,...`). */
export interface EventFields {
  event_code: string;
  event_time: string;
  user_id: string;
  extra_info: string;
}

export const STANDARD_FIELDS: Readonly<EventFields> = Object.freeze({ event_code: 'event_code', event_time: 'event_time', user_id: 'user_id', extra_info: 'extra_info' });

/**
 * Decodes JSONL lines into standard events. The result is always that of JSON.parse followed by
 * reading the four fields (own properties only) and normalizeEvent: a malformed line throws
 * JSON.parse's SyntaxError, an invalid event an EventError.
 *
 * Why not just JSON.parse: it builds an object of every field, and the engine reads four of them.
 * Most lines are flat objects of strings and integers without escapes; those are scanned in place
 * (no line string, no intermediate object). Anything else (nesting, escapes, fractions, literals,
 * whatever the scanner is unsure of) goes to JSON.parse, which decides exactly as before.
 */
export function eventLineDecoder(fields: EventFields = STANDARD_FIELDS): (text: string, start?: number, end?: number) => StandardEvent {
  const names = [fields.event_code, fields.event_time, fields.user_id, fields.extra_info];
  // the distinct input keys (two fields may read the same key), and which one each field reads
  const keys = [...new Set(names)];
  const [code, time, user, extra] = names.map((n) => keys.indexOf(n));
  const found: unknown[] = keys.map(() => undefined);
  const general = (line: string): StandardEvent => {
    const raw: unknown = JSON.parse(line);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return normalizeEvent(raw);
    const r = raw as Record<string, unknown>;
    const own = (k: string) => (Object.hasOwn(r, k) ? r[k] : undefined);
    return normalizeEvent({ event_code: own(names[0]), event_time: own(names[1]), user_id: own(names[2]), extra_info: own(names[3]) });
  };
  return (text, start = 0, end = text.length) => {
    for (let k = 0; k < found.length; k++) found[k] = undefined;
    if (!scanFlat(text, start, end, keys, found)) return general(text.slice(start, end));
    const eventCode = found[code];
    if (typeof eventCode !== 'string' || eventCode === '') throw new EventError('event_code must be a non-empty string');
    const userId = found[user];
    if (typeof userId !== 'string' && !(typeof userId === 'number' && Number.isFinite(userId))) throw new EventError('user_id must be a string or a number');
    return { event_code: eventCode, event_time: parseTime(found[time]), user_id: userId, extra_info: parseExtra(found[extra]) };
  };
}

const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Scans `text[start, end)` as a JSON object whose values are strings without escapes or integers,
 * storing the values of `keys` into `found` (the last occurrence wins, as in
 * JSON.parse). Returns false, having decided nothing, for any other text.
 */
function scanFlat(text: string, start: number, end: number, keys: string[], found: unknown[]): boolean {
  let i = skipSpace(text, start, end);
  if (i >= end || text.charCodeAt(i) !== 123 /* { */) return false;
  i = skipSpace(text, i + 1, end);
  if (i < end && text.charCodeAt(i) === 125 /* } */) return skipSpace(text, i + 1, end) === end;
  for (;;) {
    // key
    if (i >= end || text.charCodeAt(i) !== QUOTE) return false;
    const keyStart = i + 1;
    const keyEnd = stringEnd(text, keyStart, end);
    if (keyEnd < 0) return false;
    const field = keyAt(text, keyStart, keyEnd, keys);
    i = skipSpace(text, keyEnd + 1, end);
    if (i >= end || text.charCodeAt(i) !== 58 /* : */) return false;
    i = skipSpace(text, i + 1, end);
    if (i >= end) return false;
    // value
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const valueEnd = stringEnd(text, i + 1, end);
      if (valueEnd < 0) return false;
      if (field >= 0) found[field] = text.slice(i + 1, valueEnd);
      i = valueEnd + 1;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const numberStart = i;
      if (c === 45) i++;
      if (i >= end) return false;
      const first = text.charCodeAt(i);
      if (first === 48) i++;
      else if (first > 48 && first <= 57) while (i < end && isDigit(text.charCodeAt(i))) i++;
      else return false;
      if (i < end) {
        const next = text.charCodeAt(i);
        if (next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */ || isDigit(next)) return false;
      }
      if (field >= 0) found[field] = integer(text, numberStart, i);
    } else {
      return false;
    }
    i = skipSpace(text, i, end);
    if (i >= end) return false;
    const sep = text.charCodeAt(i);
    if (sep === 125 /* } */) return skipSpace(text, i + 1, end) === end;
    if (sep !== 44 /* , */) return false;
    i = skipSpace(text, i + 1, end);
  }
}

/** The index of the quote closing a string that starts at `i`, or -1 if it has an escape or a control character. */
function stringEnd(text: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

/** Which of `keys` the key text[start, end) is, or -1. */
function keyAt(text: string, start: number, end: number, keys: string[]): number {
  const n = end - start;
  next: for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    if (key.length !== n) continue;
    for (let j = 0; j < n; j++) if (key.charCodeAt(j) !== text.charCodeAt(start + j)) continue next;
    return k;
  }
  return -1;
}

/** JSON whitespace: space, tab, carriage return, line feed. */
function skipSpace(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** An integer literal's value (digits checked by the caller); exact up to 15 digits, Number() beyond. */
function integer(text: string, start: number, end: number): number {
  const negative = text.charCodeAt(start) === 45;
  if (end - start > 15) return Number(text.slice(start, end));
  let v = 0;
  for (let i = negative ? start + 1 : start; i < end; i++) v = v * 10 + (text.charCodeAt(i) - 48);
  return negative ? -v : v;
}
