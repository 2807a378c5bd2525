import type { CompiledRule, StandardEvent } from '@cepheus/rules';

/** How output events are written: one line each, after an optional header. */
export interface OutputFormat {
  readonly header: string | undefined;
  line(event: StandardEvent): string;
}

/** JSON lines (the default): each output event as a JSON object. */
export function jsonLines(time: (ms: number) => number | string): OutputFormat {
  return { header: undefined, line: (e) => JSON.stringify(time === identity ? e : { ...e, event_time: time(e.event_time) }) };
}

export const identity = (ms: number): number => ms;

/**
 * CSV (RFC 4180): a header, then one row per output event: event_code, event_time, user_id, then
 * one column per RETURN field of any rule, in the order the rules name them (empty where an
 * output's rule has no such field). Objects and arrays are written as JSON; a field with a comma,
 * a quote or a line break is quoted, its quotes doubled.
 */
export function csv(rules: readonly CompiledRule[], time: (ms: number) => number | string): OutputFormat {
  const fields = [...new Set(rules.flatMap((r) => r.returnFields))];
  const header = ['event_code', 'event_time', 'user_id', ...fields].map(csvField).join(',');
  return {
    header,
    line: (e) => [e.event_code, time(e.event_time), e.user_id, ...fields.map((f) => (Object.hasOwn(e.extra_info, f) ? e.extra_info[f] : undefined))].map(csvField).join(','),
  };
}

function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
