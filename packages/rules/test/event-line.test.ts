import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventLineDecoder, EventError, normalizeEvent, STANDARD_FIELDS, type EventFields } from '../src/index.ts';

/** Text as the input's stream decoder makes it of bytes mid-file (invalid bytes become U+FFFD). */
const decodeBytes = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);

/** What a line must decode to: JSON.parse, the four fields read as own properties, normalizeEvent. */
function reference(line: string, fields: EventFields): unknown {
  const raw: unknown = JSON.parse(line);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return normalizeEvent(raw);
  const r = raw as Record<string, unknown>;
  const read = (k: string) => (Object.hasOwn(r, k) ? r[k] : undefined);
  return normalizeEvent({ event_code: read(fields.event_code), event_time: read(fields.event_time), user_id: read(fields.user_id), extra_info: read(fields.extra_info) });
}

type Outcome = { event: unknown } | { error: string; message: string };
function outcome(f: () => unknown): Outcome {
  try {
    return { event: f() };
  } catch (e) {
    if (!(e instanceof SyntaxError) && !(e instanceof EventError)) throw e;
    return { error: e.constructor.name, message: e.message };
  }
}

const FIELDS: EventFields[] = [
  STANDARD_FIELDS,
  { event_code: 'code', event_time: 'ts', user_id: 'user', extra_info: 'extra_info' },
  { event_code: 'code', event_time: 'ts', user_id: 'code', extra_info: 'x' }, // two fields read one key
  { event_code: '', event_time: 'é', user_id: 'a"b', extra_info: 'ts' }, // keys a line spells oddly: empty, non-ASCII, escaped
];
const KEYS = ['event_code', 'event_time', 'user_id', 'extra_info', 'code', 'ts', 'user', 'x', '__proto__', 'constructor', 'toString', '', 'é', 'a"b', 'tz', 'cade', 'usef'].map(
  (k) => JSON.stringify(k),
);
/** Keys as written with escapes (some spell a field's name), and broken ones. */
const ODD_KEYS = ['"event\\u005fcode"', '"user_\\u0069d"', '"t\\u0073"', '"c\\/ode"', '"co\\de"', '"ts\\u00"', '"é"', '"ts', 'ts', '"\t"'];
/** Raw value texts: valid JSON of every kind, and near misses the scanner must leave to JSON.parse. */
const RAW_VALUES = [
  '0',
  '-0',
  '7',
  '-12',
  '42',
  '1700000000000',
  '123456789012345',
  '1234567890123456',
  '12345678901234567890',
  '99999999999999999',
  '-99999999999999999',
  '1.5',
  '1e3',
  '2E-2',
  '01',
  '-',
  '- 1',
  '1.',
  'tru',
  'true',
  'false',
  'null',
  '""',
  '"A"',
  '"u7"',
  '"7"',
  '"2026-11-23 10:00:00"',
  '"2026-02-30 10:00:00"',
  '"\\u0041"',
  '"a\\"b"',
  '"\t"',
  '"é✓"',
  '"{\\"to\\":1}"',
  '{}',
  '{"to":"t1"}',
  '[1]',
  '[',
  '"',
  '{"a":',
  'NaN',
  'Infinity',
  '-1.25e-3',
  '1E+2',
  '0.5',
  '1e',
  '1.e2',
  '"\\x"',
  '"\\u12"',
  '"\\u12G4"',
  '"\\u123"',
  '"\\ud800"',
  '"\\/\\b\\f\\n\\r\\t"',
  '"\\u00e9"',
  '{"to":"t\\u0031","n":[1,{"a":null}],"s":"}]"}',
  '[1,2',
  '{"a":1]}',
  '{"a":"}"}',
  '{"a" 1}',
  '[]',
  '[{"x":[]}]',
  'true ',
  'nul',
  'falsey',
  // nested values as JSON.parse makes them: own "__proto__" members, repeated names, integer-like names, spacing, depth
  '{"__proto__":{"a":1}}',
  '{"__proto__":1,"b":2,"__proto__":[3]}',
  '{"a":1,"b":2,"a":3}',
  '{"2":"x","1":"y","b":0}',
  '{ "a" : [ 1 , 2 ] , "b" : { } }',
  '{"\\u0061":"\\u0041","long":"a string longer than thirteen"}',
  '[1,]',
  '{"a":1,}',
  '[1 2]',
  '{"a":tru}',
  '{"a"}',
  '[[],[[]],{"":{}}]',
  `${'['.repeat(32)}1${']'.repeat(32)}`,
  `${'['.repeat(33)}1${']'.repeat(33)}`,
  `${'{"a":'.repeat(40)}0${'}'.repeat(40)}`,
];
const space = fc.constantFrom('', '', '', ' ', '\t', '  ', '\r');

/** A line assembled from keys and raw values (duplicates, odd spacing, invalid bits included). */
const assembledLine = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(...ODD_KEYS)),
        fc.oneof(
          fc.constantFrom(...RAW_VALUES),
          fc.integer().map(String),
          fc.string().map((s) => JSON.stringify(s)),
        ),
        space,
        space,
      ),
      { maxLength: 6 },
    ),
    space,
    space,
  )
  .map(([pairs, before, after]) => `${before}{${pairs.map(([k, v, s1, s2]) => `${s1}${k}${s2}:${s1}${v}${s2}`).join(',')}}${after}`);

/** A plausible event line, serialized as producers write them. */
const eventLine = fc
  .record(
    {
      event_code: fc.oneof(fc.constantFrom('A', 'B', 'S_SEND_MSG', ''), fc.string()),
      event_time: fc.oneof(fc.integer({ min: 0 }), fc.constantFrom('2026-11-23 10:00:00.5', '17', 'x'), fc.double()),
      user_id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      extra_info: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.constant('{"to":"t1"}'), fc.constant(3)),
      code: fc.constantFrom('A', 'B', 'C'),
      ts: fc.nat(),
      user: fc.nat(),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

/** A valid event line with one more member of any kind: each raw value is judged in context. */
const oneOdd = fc
  .tuple(fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(...ODD_KEYS)), fc.constantFrom(...RAW_VALUES), fc.boolean())
  .map(([k, v, first]) => (first ? `{${k}:${v},"event_code":"A","event_time":1,"user_id":1}` : `{"event_code":"A","event_time":1,"user_id":1,${k}:${v}}`));

/** Valid flat lines whose numbers have many digits (exact conversion of long integer literals). */
const longNumbers = fc
  .tuple(fc.stringMatching(/^-?[1-9][0-9]{12,20}$/), fc.stringMatching(/^-?[1-9][0-9]{12,20}$/))
  .map(([ts, user]) => `{"event_code":"A","code":"B","event_time":${ts},"ts":${ts},"user_id":${user},"user":${user}}`);

/** One change at one place of a line: a character deleted, inserted or replaced (by one or by odd bytes' text). */
const edit = fc
  .tuple(
    fc.nat(),
    fc.oneof(fc.constantFrom('', '"', '{', '}', ',', ':', '\\', '0', '-', ' ', 'e', '.', 'é', '\ud800', '\u2028'), fc.uint8Array({ minLength: 1, maxLength: 2 }).map(decodeBytes)),
    fc.boolean(),
  )
  .map(([at, insert, replace]) => (line: string) => {
    const i = line.length === 0 ? 0 : at % line.length;
    return line.slice(0, i) + insert + line.slice(replace ? i + 1 : i);
  });

/** Any line, changed at one place. */
const mutated = fc.tuple(fc.oneof(eventLine, assembledLine, oneOdd), edit).map(([line, change]) => change(line));

const anyLine = fc.oneof(eventLine, assembledLine, oneOdd, longNumbers, mutated, fc.json());

/** A value for a line of a stream: mostly what producers write (integers, short and long strings), sometimes anything. */
const streamValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer().map(String) },
  { weight: 3, arbitrary: fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('A', 'B', 'S_SEND_MSG', '')).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_VALUES) },
);
/**
 * A stream of lines most of which share a shape: one skeleton of keys and spacing filled with
 * different values, other lines mixed in (a decoder reads a line as the shape of earlier ones first).
 */
const stream = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KEYS) }, fc.constantFrom(...ODD_KEYS)), space, space), { maxLength: 5 }),
    space,
    fc.array(fc.oneof({ weight: 6, arbitrary: fc.tuple(fc.array(streamValue, { minLength: 5, maxLength: 5 }), fc.option(edit, { freq: 4 })) }, anyLine), { maxLength: 30 }),
  )
  .map(([skeleton, after, rows]) =>
    rows.map((row) => {
      if (typeof row === 'string') return row;
      const [values, change] = row as [string[], ((line: string) => string) | null];
      const line = `{${skeleton.map(([k, s1, s2], i) => `${s1}${k}${s2}:${s1}${values[i]}${s2}`).join(',')}}${after}`;
      return change === null ? line : change(line);
    }),
  );

describe('event line decoder', () => {
  it('decodes every line as JSON.parse and normalizeEvent would, errors included', () => {
    fc.assert(
      fc.property(anyLine, fc.constantFrom(...FIELDS), (line, fields) => {
        expect(outcome(() => eventLineDecoder(fields)(line))).toEqual(outcome(() => reference(line, fields)));
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes a stream of lines, most of them in one shape, as JSON.parse and normalizeEvent would', () => {
    fc.assert(
      fc.property(stream, fc.constantFrom(...FIELDS), (lines, fields) => {
        const decode = eventLineDecoder(fields);
        for (const line of lines)
          expect(
            outcome(() => decode(line)),
            line,
          ).toEqual(outcome(() => reference(line, fields)));
      }),
      { numRuns: RUNS },
    );
  });

  it('makes a wanted nested value as JSON.parse makes it, and reads a line once more as its shape', () => {
    const decode = eventLineDecoder(STANDARD_FIELDS);
    for (const v of RAW_VALUES) {
      const line = `{"event_code":"A","event_time":1,"user_id":1,"extra_info":${v}}`;
      // twice: the second read is through the shape the first one learned
      for (let i = 0; i < 2; i++)
        expect(
          outcome(() => decode(line)),
          line,
        ).toEqual(outcome(() => reference(line, STANDARD_FIELDS)));
    }
    expect(decode('{"event_code":"A","event_time":1,"user_id":1,"extra_info":{"__proto__":{"a":1},"to":["t1",{"n":null}]}}').extra_info).toEqual(
      JSON.parse('{"__proto__":{"a":1},"to":["t1",{"n":null}]}'),
    );
  });

  it('decodes a line in place inside a larger text', () => {
    fc.assert(
      fc.property(anyLine, fc.string(), fc.string(), (line, before, after) => {
        const decode = eventLineDecoder(STANDARD_FIELDS);
        expect(outcome(() => decode(before + line + after, before.length, before.length + line.length))).toEqual(outcome(() => decode(line)));
      }),
      { numRuns: RUNS },
    );
  });

  it('tells a wanted key from keys that differ from it in one character, or in length', () => {
    const decode = eventLineDecoder({ event_code: 'code', event_time: 'ts', user_id: 'user', extra_info: 'extra_info' });
    for (const key of ['code', 'ts', 'user']) {
      const misses = [key.slice(0, -1), key + 'x', ...[...key].map((_, i) => key.slice(0, i) + '_' + key.slice(i + 1))];
      for (const miss of misses) {
        // the near miss comes after the wanted key: read as it, its value would replace the wanted one
        const line = JSON.stringify({ code: 'A', ts: 5, user: 'u1', [miss]: key === 'ts' ? 9 : 'wrong' });
        expect(decode(line), `${key} / ${miss}`).toEqual(reference(line, { event_code: 'code', event_time: 'ts', user_id: 'user', extra_info: 'extra_info' }));
      }
    }
  });

  it('reads the named fields of a flat line without touching the others', () => {
    const decode = eventLineDecoder({ event_code: 'code', event_time: 'ts', user_id: 'user', extra_info: 'extra_info' });
    expect(decode('{"user":33649,"code":"C","ts":0,"note":"x"}')).toEqual({ event_code: 'C', event_time: 0, user_id: 33649, extra_info: {} });
    expect(() => decode('{"user":1,"code":"C","ts":01}')).toThrow(SyntaxError);
    expect(() => decode('{"user":1,"code":"","ts":1}')).toThrow('event_code must be a non-empty string');
    // a key that names an Object.prototype property is read only when the line has it
    expect(() => eventLineDecoder({ ...STANDARD_FIELDS, user_id: 'constructor' })('{"event_code":"A","event_time":1}')).toThrow('user_id must be');
  });
});
