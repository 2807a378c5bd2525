import { eventLineDecoder, STANDARD_FIELDS, TimeReader, TimeZone, type CompiledRule, type EventFields, type EventLineDecoder } from '@cepheus/rules';

/** A mistake in the command line: reported with the usage. */
export class UsageError extends Error {}

/** How event times are read: in `zone`, epoch numbers in --epoch-unit (ms or s). */
function timeReader(zone: TimeZone, unit: string | undefined): TimeReader {
  if (unit !== undefined && unit !== 'ms' && unit !== 's') throw new UsageError(`--epoch-unit: '${unit}' is not ms or s`);
  return new TimeReader(zone, unit ?? 'ms');
}

/** --time-zone's value: an IANA name or an offset. */
function zoneOption(text: string): TimeZone {
  try {
    return TimeZone.parse(text);
  } catch (e) {
    throw new UsageError(`--time-zone: ${(e as Error).message}`);
  }
}

/** `event_code=code,event_time=ts,...`: reads standard events from differently named input fields. */
function fieldMapping(spec: string): EventFields {
  const standard = Object.keys(STANDARD_FIELDS) as (keyof EventFields)[];
  const pairs = spec.split(',').map((p) => p.trim().split('='));
  for (const p of pairs) {
    if (p.length !== 2 || !(standard as string[]).includes(p[0]) || p[1] === '')
      throw new UsageError(`--fields: '${p.join('=')}' is not STANDARD=input with STANDARD one of ${standard.join(', ')}`);
  }
  return { ...STANDARD_FIELDS, ...(Object.fromEntries(pairs) as Partial<EventFields>) };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`cannot read the duration '${text}': use e.g. 500ms, 5s, 2m, 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}

/** The options that say how input events are read, shared by run and trace. */
export const INPUT_OPTIONS = {
  'out-of-orderness': { type: 'string' },
  fields: { type: 'string' },
  'time-zone': { type: 'string' },
  'epoch-unit': { type: 'string' },
} as const;

/** --time-zone's zone, if given (the rules compile in it). */
export function optionZone(values: Record<string, unknown>): TimeZone | undefined {
  return values['time-zone'] === undefined ? undefined : zoneOption(String(values['time-zone']));
}

/**
 * The zone input times without an offset are read in: --time-zone, else the TIME ZONE the rule
 * files declare (those that declare one must agree), else UTC.
 */
export function inputZone(values: Record<string, unknown>, rules: readonly CompiledRule[]): TimeZone {
  const given = optionZone(values);
  if (given !== undefined) return given;
  // files without TIME ZONE have UTC and do not count
  const declared = new Map(rules.filter((r) => r.timeZone !== TimeZone.UTC).map((r) => [r.timeZone.name, r.timeZone]));
  if (declared.size > 1) throw new UsageError(`the rule files declare different time zones (${[...declared.keys()].join(', ')}): give --time-zone`);
  return [...declared.values()][0] ?? TimeZone.UTC;
}

/** How input events are read, from INPUT_OPTIONS' values, in `zone`. */
export function inputReading(values: Record<string, unknown>, zone: TimeZone): { times: TimeReader; decode: EventLineDecoder; outOfOrdernessMs: number } {
  const text = (name: string) => (values[name] === undefined ? undefined : String(values[name]));
  const times = timeReader(zone, text('epoch-unit'));
  const fields = text('fields');
  const decode = eventLineDecoder(fields === undefined ? STANDARD_FIELDS : fieldMapping(fields), times);
  const ooo = text('out-of-orderness');
  return { times, decode, outOfOrdernessMs: ooo === undefined ? 0 : parseDuration(ooo) };
}
