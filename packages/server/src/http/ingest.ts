import { EventError, eventLineDecoder, isBlankLine, normalizeEvent, STANDARD_FIELDS, type StandardEvent } from '@cepheus/rules';
import type { Reject } from '../storage/storage.js';

/** A batch as the log takes it: its events as JSON text, and the lines that were not events. */
export interface Batch {
  readonly events: string[];
  readonly rejects: Reject[];
}

/** A body that is not a batch at all (the whole request is refused). */
export class BatchError extends Error {
  override name = 'BatchError';
}

const decodeLine = eventLineDecoder(STANDARD_FIELDS);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/**
 * Reads a batch of standard events: a JSON array (`json`), or one JSON object per line. Each
 * event is validated as `cepheus run` validates input lines; a bad one is a reject with its line
 * (or array position, from 1) and the reason. Lines with bytes that are not UTF-8 are rejects too.
 */
export function readBatch(body: Buffer, json: boolean, maxEvents: number): Batch {
  const events: string[] = [];
  const rejects: Reject[] = [];
  const accept = (e: StandardEvent) => {
    if (events.length >= maxEvents) throw new BatchError(`a batch holds at most ${maxEvents} events`);
    events.push(JSON.stringify(e));
  };
  if (json) {
    let items: unknown;
    try {
      items = JSON.parse(utf8.decode(body));
    } catch (e) {
      throw new BatchError(`the body is not valid JSON (${(e as Error).message}); send a JSON array of events, or one event per line as application/x-ndjson`);
    }
    if (!Array.isArray(items)) throw new BatchError('a JSON body must be an array of events');
    items.forEach((item, i) => {
      try {
        accept(normalizeEvent(item));
      } catch (e) {
        if (!(e instanceof EventError)) throw e;
        rejects.push({ line: i + 1, reason: e.message, text: String(JSON.stringify(item)).slice(0, 200) });
      }
    });
    return { events, rejects };
  }
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    let end = body.indexOf(10, start);
    if (end < 0) end = body.length;
    line++;
    // a CRLF line ends before its CR
    const bytes = body.subarray(start, end > start && body[end - 1] === 13 ? end - 1 : end);
    start = end + 1;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      rejects.push({ line, reason: 'the line is not valid UTF-8', text: lenient.decode(bytes).slice(0, 200) });
      continue;
    }
    if (isBlankLine(text)) continue;
    try {
      accept(decodeLine(text));
    } catch (e) {
      if (e instanceof BatchError) throw e;
      rejects.push({ line, reason: (e as Error).message, text: text.slice(0, 200) });
    }
  }
  return { events, rejects };
}

/** An Idempotency-Key header value: 1 to 255 visible ASCII characters. */
export function validIdempotencyKey(key: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(key);
}
