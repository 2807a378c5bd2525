import { TimeReader } from './time.js';

/** The event format rules read and write (the seed system's standard event). */
export interface StandardEvent {
  event_code: string;
  /** Epoch milliseconds. */
  event_time: number;
  user_id: string | number;
  extra_info: Record<string, unknown>;
}

/** Why an input event was rejected. */
export class EventError extends Error {
  override name = 'EventError';
}

/** Reads times as UTC, epoch numbers as ms. */
const DEFAULT_TIMES = new TimeReader();

/**
 * Validates and normalizes an input event: event_time as epoch ms (see TimeReader: a number, or
 * date-time text, by default in UTC), extra_info as an object (a JSON string is parsed once).
 */
export function normalizeEvent(raw: unknown, times: TimeReader = DEFAULT_TIMES): StandardEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new EventError('an event must be a JSON object');
  const r = raw as Record<string, unknown>;
  return standardEvent(r.event_code, r.event_time, r.user_id, r.extra_info, times);
}

/** The standard event of the four field values, validated and normalized (see normalizeEvent). */
export function standardEvent(eventCode: unknown, eventTime: unknown, userId: unknown, extraInfo: unknown, times: TimeReader = DEFAULT_TIMES): StandardEvent {
  if (typeof eventCode !== 'string' || eventCode === '') throw new EventError('event_code must be a non-empty string');
  if (typeof userId !== 'string' && !(typeof userId === 'number' && Number.isFinite(userId))) throw new EventError('user_id must be a string or a number');
  return { event_code: eventCode, event_time: parseTime(eventTime, times), user_id: userId, extra_info: parseExtra(extraInfo) };
}

/** The epoch ms of an event_time (see TimeReader); throws an EventError when it is not one. */
export function parseTime(v: unknown, times: TimeReader = DEFAULT_TIMES): number {
  const t = times.read(v);
  if (typeof t === 'string') throw new EventError(t);
  return t;
}

/** The extra_info of events without one: shared (rules only read events), frozen so nothing can change it. */
const NO_EXTRA: Record<string, unknown> = Object.freeze({});

function parseExtra(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return NO_EXTRA;
  if (typeof v === 'string') {
    if (v.trim() === '') return NO_EXTRA;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new EventError('extra_info is a string but not valid JSON');
    }
    return parseExtra(parsed);
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new EventError('extra_info must be an object or a JSON string of one');
  return v as Record<string, unknown>;
}
