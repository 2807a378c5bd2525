import { eventLineDecoder, STANDARD_FIELDS, TimeReader, TimeZone, type EventFields, type EventLineDecoder } from '@cepheus/rules';

/** A mistake in the command line: reported with the usage. */
export class UsageError extends Error {}

/** How event times are read: --time-zone (an IANA name or an offset; default UTC) and --epoch-unit (ms or s). */
function timeReader(zone: string | undefined, unit: string | undefined): TimeReader {
  if (unit !== undefined && unit !== 'ms' && unit !== 's') throw new UsageError(`--epoch-unit: '${unit}' is not ms or s`);
  let tz = TimeZone.UTC;
  if (zone !== undefined) {
    try {
      tz = TimeZone.parse(zone);
    } catch (e) {
      throw new UsageError(`--time-zone: ${(e as Error).message}`);
    }
  }
  return new TimeReader(tz, unit ?? 'ms');
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

/** How input events are read, from INPUT_OPTIONS' values. */
export function inputReading(values: Record<string, unknown>): { times: TimeReader; decode: EventLineDecoder; outOfOrdernessMs: number } {
  const text = (name: string) => (values[name] === undefined ? undefined : String(values[name]));
  const times = timeReader(text('time-zone'), text('epoch-unit'));
  const fields = text('fields');
  const decode = eventLineDecoder(fields === undefined ? STANDARD_FIELDS : fieldMapping(fields), times);
  const ooo = text('out-of-orderness');
  return { times, decode, outOfOrdernessMs: ooo === undefined ? 0 : parseDuration(ooo) };
}
