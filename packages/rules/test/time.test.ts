import { describe, expect, it } from 'vitest';
import { TimeReader, TimeZone } from '../src/index.ts';

const utc = new TimeReader();
const at = (text: string) => Date.parse(text);

describe('reading event times', () => {
  it('reads date-time text as UTC by default, with or without T and milliseconds', () => {
    expect(utc.read('2024-01-01 10:00:00')).toBe(at('2024-01-01T10:00:00Z'));
    expect(utc.read('2024-01-01T10:00:00.5')).toBe(at('2024-01-01T10:00:00.500Z'));
    expect(utc.read('0050-06-01 00:00:00')).toBe(at('0050-06-01T00:00:00Z'));
  });

  it.each([
    ['2024-01-01 10:60:00', 'minute 60'],
    ['2024-01-01 10:00:60', 'second 60'],
    ['2024-01-01 24:00:00', 'hour 24'],
    ['2024-13-01 10:00:00', 'month 13'],
    ['2024-00-01 10:00:00', 'month 0'],
    ['2023-02-29 10:00:00', 'day 29 is out of range (1 to 28)'],
    ['2024-04-31 10:00:00', 'day 31 is out of range (1 to 30)'],
  ])('rejects %s (%s)', (text, why) => {
    const r = utc.read(text);
    expect(typeof r).toBe('string');
    expect(r).toContain(why);
  });

  it('takes Z and offset suffixes, whatever the reader’s zone', () => {
    const shanghai = new TimeReader(TimeZone.parse('Asia/Shanghai'));
    for (const reader of [utc, shanghai]) {
      expect(reader.read('2024-01-01 10:00:00Z')).toBe(at('2024-01-01T10:00:00Z'));
      expect(reader.read('2024-01-01 10:00:00+08:00')).toBe(at('2024-01-01T02:00:00Z'));
      expect(reader.read('2024-01-01T10:00:00-0530')).toBe(at('2024-01-01T15:30:00Z'));
    }
  });

  it('reads text without a suffix in the zone given, by IANA name or offset', () => {
    expect(new TimeReader(TimeZone.parse('Asia/Shanghai')).read('2024-01-01 10:00:00')).toBe(at('2024-01-01T02:00:00Z'));
    expect(new TimeReader(TimeZone.parse('+08:00')).read('2024-01-01 10:00:00')).toBe(at('2024-01-01T02:00:00Z'));
    // daylight saving: New York is UTC-5 in winter, UTC-4 in summer
    const ny = new TimeReader(TimeZone.parse('America/New_York'));
    expect(ny.read('2024-01-15 12:00:00')).toBe(at('2024-01-15T17:00:00Z'));
    expect(ny.read('2024-07-15 12:00:00')).toBe(at('2024-07-15T16:00:00Z'));
    // 01:30 happens twice on 2024-11-03: the first (still daylight time)
    expect(ny.read('2024-11-03 01:30:00')).toBe(at('2024-11-03T05:30:00Z'));
  });

  it('rejects unknown zones and offsets out of range', () => {
    expect(() => TimeZone.parse('Mars/Base')).toThrow(/unknown time zone 'Mars\/Base'/);
    expect(() => TimeZone.parse('+19:00')).toThrow(/out of range/);
  });

  it('reads epoch numbers as ms, or seconds when asked, and counts ms that look like seconds', () => {
    const ms = new TimeReader();
    expect(ms.read(1_700_000_000)).toBe(1_700_000_000);
    expect(ms.read('1700000000')).toBe(1_700_000_000);
    expect(ms.read(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(ms.read(5000)).toBe(5000);
    expect(ms.looksLikeSeconds).toBe(2);
    const s = new TimeReader(TimeZone.UTC, 's');
    expect(s.read(1_700_000_000)).toBe(1_700_000_000_000);
    expect(s.looksLikeSeconds).toBe(0);
  });

  it('writes times as ISO 8601 in the zone, and reads them back', () => {
    const t = at('2024-01-01T02:00:00.250Z');
    for (const zone of ['UTC', '+08:00', 'Asia/Shanghai', 'America/New_York', '-03:30']) {
      const z = TimeZone.parse(zone);
      const text = z.formatIso(t);
      expect(new TimeReader(z).read(text)).toBe(t);
    }
    expect(TimeZone.parse('Asia/Shanghai').formatIso(t)).toBe('2024-01-01T10:00:00.250+08:00');
    expect(TimeZone.UTC.formatIso(t)).toBe('2024-01-01T02:00:00.250Z');
  });
});
