import { EventError, isBlankLine, type EventLineDecoder, type StandardEvent } from '@cepheus/rules';
import { ChunkDecoder } from './chunk-decoder.js';

/** A line that is not an event, as the errors output writes it. */
export interface ErrorLine {
  readonly line: number;
  readonly error: string;
  /** The line's first 200 characters. */
  readonly text: string;
}

/**
 * Splits input chunks into JSONL lines and decodes each into an event, or an error line: malformed
 * JSON, an invalid event, or bytes that are not UTF-8. Lines are numbered from 1; blank lines are
 * counted and skipped. Most lines are decoded in place in the chunk read and never become strings.
 */
export class EventLines {
  private readonly decoder = new ChunkDecoder();
  private lineNo = 0;
  /** A line begun in an earlier chunk. */
  private rest = '';
  /**
   * The chunk being read had bytes that are not UTF-8: its lines with a U+FFFD are errors, not
   * read (a line that spells a U+FFFD out validly in such a chunk is reported with them).
   */
  private invalidBytes = false;

  constructor(
    private readonly decode: EventLineDecoder,
    private readonly onEvent: (event: StandardEvent, line: number) => void,
    private readonly onError: (error: ErrorLine) => void,
  ) {}

  write(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    // a line begun in an earlier chunk keeps that chunk's verdict too
    this.invalidBytes = this.decoder.invalid > 0 || (this.rest.length > 0 && this.invalidBytes);
    let start = 0;
    let nl = text.indexOf('\n');
    if (this.rest.length > 0) {
      // the line across chunks is joined on its own: the chunk stays a flat string (reading a
      // concatenation character by character is slower)
      if (nl < 0) {
        this.rest += text;
        return;
      }
      const line = this.rest + text.slice(0, nl);
      this.rest = '';
      this.line(line, 0, lineEnd(line, 0, line.length));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    for (; nl >= 0; nl = text.indexOf('\n', start)) {
      this.line(text, start, lineEnd(text, start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  /** The end of the input: the last line, if it has no newline. */
  end(): void {
    const rest = this.rest + this.decoder.end();
    this.rest = '';
    this.invalidBytes = this.decoder.invalid > 0 || this.invalidBytes;
    if (rest.length > 0) this.line(rest, 0, rest.length);
  }

  /** The line text[start, end). */
  private line(text: string, start: number, end: number): void {
    const lineNo = ++this.lineNo;
    if (isBlankLine(text, start, end)) return;
    if (this.invalidBytes) {
      const at = text.indexOf('\ufffd', start);
      if (at >= 0 && at < end) {
        this.fail(lineNo, 'bytes that are not UTF-8 (shown as U+FFFD in text)', text, start, end);
        return;
      }
    }
    let event: StandardEvent;
    try {
      event = this.decode(text, start, end);
    } catch (e) {
      if (e instanceof SyntaxError) this.fail(lineNo, `malformed JSON: ${e.message}`, text, start, end);
      else if (e instanceof EventError) this.fail(lineNo, e.message, text, start, end);
      else throw e;
      return;
    }
    this.onEvent(event, lineNo);
  }

  private fail(line: number, error: string, text: string, start: number, end: number): void {
    this.onError({ line, error, text: text.slice(start, Math.min(end, start + 200)) });
  }
}

/** Where the line text[start, nl) ends without its carriage return (CRLF files). */
const lineEnd = (text: string, start: number, nl: number): number => (nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
