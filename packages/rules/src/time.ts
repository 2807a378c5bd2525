/**
 * Reading and writing event times: epoch numbers (milliseconds, or seconds when asked) and
 * date-time text, `YYYY-MM-DD HH:mm:ss[.SSS]` (or with `T`), with an optional `Z` or `+08:00`
 * suffix. Text without a suffix is wall-clock time in the reader's time zone (UTC by default).
 */

/** A time zone: a fixed offset from UTC, or an IANA zone (whose offset changes with daylight saving). */
export class TimeZone {
  static readonly UTC = new TimeZone('UTC', 0, undefined);

  private readonly offsets = new Map<number, number>();

  private constructor(
    /** As it was given: `UTC`, `+08:00`, `Asia/Shanghai`. */
    readonly name: string,
    /** The fixed offset in ms, for a zone that has one. */
    private readonly fixed: number | undefined,
    private readonly format: Intl.DateTimeFormat | undefined,
  ) {}

  /** `UTC`, `Z`, an offset (`+08:00`, `-0530`, `+8`) or an IANA name (`Asia/Shanghai`); throws a RangeError otherwise. */
  static parse(spec: string): TimeZone {
    const s = spec.trim();
    if (/^(utc|gmt|z)$/i.test(s)) return TimeZone.UTC;
    const offset = parseOffset(s);
    if (offset !== undefined) return new TimeZone(s, offset, undefined);
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: s,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone '${spec}': give an IANA name such as Asia/Shanghai, or an offset such as +08:00`);
    }
    return new TimeZone(s, undefined, format);
  }

  /** The zone's offset from UTC, in ms, at the instant `utcMs`. */
  offsetAt(utcMs: number): number {
    if (this.fixed !== undefined) return this.fixed;
    // offsets change only at whole quarter hours: one look-up per quarter hour
    const bucket = Math.floor(utcMs / QUARTER_HOUR);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const at = bucket * QUARTER_HOUR;
      const p: Record<string, number> = {};
      for (const part of this.format!.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /**
   * The instant of a wall-clock time in this zone, given as the epoch ms it would be in UTC. A time
   * that a daylight-saving change skips is read with the offset before the change; a time that
   * happens twice, as its first occurrence.
   */
  fromWallClock(wallMs: number): number {
    if (this.fixed !== undefined) return wallMs - this.fixed;
    const before = this.offsetAt(wallMs - DAY);
    const after = this.offsetAt(wallMs + DAY);
    if (before === after) return wallMs - before;
    // near a change: the first of the two readings that is consistent, else the earlier offset
    for (const offset of [before, after]) if (this.offsetAt(wallMs - offset) === offset) return wallMs - offset;
    return wallMs - before;
  }

  /** The instant as ISO 8601 text in this zone: `2024-01-01T10:00:00.000+08:00` (`Z` for UTC). */
  formatIso(utcMs: number): string {
    const offset = this.offsetAt(utcMs);
    const wall = new Date(utcMs + offset).toISOString().slice(0, 23);
    if (this === TimeZone.UTC) return `${wall}Z`;
    const sign = offset < 0 ? '-' : '+';
    const minutes = Math.abs(offset) / 60_000;
    return `${wall}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  }
}

const QUARTER_HOUR = 15 * 60_000;
const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** `+08:00`, `+0800`, `+08`, `-5:30` as ms; undefined when `s` is not an offset. Throws a RangeError for an offset out of range. */
function parseOffset(s: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(s);
  if (m === null) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 18 || minutes > 59) throw new RangeError(`time zone offset '${s}' is out of range (-18:00 to +18:00)`);
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const FIELDS = ['month', 'day', 'hour', 'minute', 'second'] as const;

/** Why a time could not be read (an EventError for the line it came from). */
export type TimeProblem = string;

/**
 * Reads event times. Epoch numbers are ms, or seconds with `epochUnit: 's'`. Under the ms default,
 * a number that is plausible as epoch seconds (1e9 to 1e11, the years 2001 to 5138 in seconds but
 * January 1970 to 1973 in ms) is read as ms and counted in `looksLikeSeconds`, for the caller to warn.
 */
export class TimeReader {
  looksLikeSeconds = 0;

  constructor(
    readonly zone: TimeZone = TimeZone.UTC,
    readonly epochUnit: 'ms' | 's' = 'ms',
  ) {}

  /** The epoch ms of `v`, or the problem with it as text. */
  read(v: unknown): number | TimeProblem {
    if (typeof v === 'number') return Number.isFinite(v) ? this.epoch(v) : `event_time must be a finite number, got ${v}`;
    if (typeof v !== 'string')
      return v === undefined || v === null ? 'event_time is missing (epoch ms or "YYYY-MM-DD HH:mm:ss[.SSS]")' : 'event_time must be a number or a date-time string';
    if (/^\d+$/.test(v)) return this.epoch(Number(v));
    const m = DATE_TIME.exec(v);
    if (m === null) return `event_time "${v}" is not epoch ${this.epochUnit === 's' ? 'seconds' : 'ms'} or YYYY-MM-DD HH:mm:ss[.SSS][Z|+08:00]`;
    const [, y, mo, d, h, mi, s, ms, suffix] = m;
    const values = [+mo, +d, +h, +mi, +s];
    const limits = [12, daysInMonth(+y, +mo), 23, 59, 59];
    for (let i = 0; i < FIELDS.length; i++) {
      const low = i < 2 ? 1 : 0;
      if (values[i] < low || values[i] > limits[i]) return `event_time "${v}": ${FIELDS[i]} ${values[i]} is out of range (${low} to ${limits[i]})`;
    }
    const date = new Date(Date.UTC(2000, +mo - 1, +d, +h, +mi, +s, ms ? +ms.padEnd(3, '0') : 0));
    const wall = date.setUTCFullYear(+y); // Date.UTC reads years 0 to 99 as 1900 to 1999
    if (suffix === undefined) return this.zone.fromWallClock(wall);
    if (/^z$/i.test(suffix)) return wall;
    let offset: number | undefined;
    try {
      offset = parseOffset(suffix);
    } catch (e) {
      return `event_time "${v}": ${(e as Error).message}`;
    }
    return wall - offset!;
  }

  private epoch(n: number): number {
    if (this.epochUnit === 's') return n * 1000;
    if (n >= 1e9 && n < 1e11) this.looksLikeSeconds++;
    return n;
  }
}

function daysInMonth(year: number, month: number): number {
  return month < 1 || month > 12 ? 31 : new Date(Date.UTC(year, month, 0)).getUTCDate();
}
