/** A position in rule source text (1-based line and column). */
export interface Span {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

/** Any syntax or semantic error in rule text: where it is, what is wrong, and a hint. */
export class RuleError extends Error {
  override name = 'RuleError';

  /** The whole rule text (not enumerable, so that logging the error does not print it). */
  declare readonly source: string;

  constructor(
    message: string,
    readonly span: Span,
    source: string,
    readonly hint?: string,
    readonly rule?: string,
    readonly file?: string,
  ) {
    super(message);
    Object.defineProperty(this, 'source', { value: source, enumerable: false });
  }

  /** The error with its location, the source line and a caret under the offending text. */
  format(): string {
    const where = `${this.file ?? '<rules>'}:${this.span.line}:${this.span.column}`;
    const ruleText = this.rule ? ` in rule "${this.rule}"` : '';
    const lineText = this.source.split('\n')[this.span.line - 1] ?? '';
    const caret = ' '.repeat(Math.max(0, this.span.column - 1)) + '^'.repeat(Math.max(1, Math.min(this.span.length, lineText.length - this.span.column + 1)));
    const gutter = String(this.span.line).length;
    return [
      `error${ruleText}: ${this.message}`,
      `  --> ${where}`,
      `${' '.repeat(gutter)} |`,
      `${this.span.line} | ${lineText}`,
      `${' '.repeat(gutter)} | ${caret}`,
      ...(this.hint ? [`${' '.repeat(gutter)} = hint: ${this.hint}`] : []),
    ].join('\n');
  }
}

/**
 * Several errors of one rule text, thrown together so that an author sees all of them at once. It
 * is the first error (message, span, hint), and `errors` lists every one, that first included.
 */
export class RuleErrors extends RuleError {
  override name = 'RuleErrors';

  constructor(readonly errors: readonly RuleError[]) {
    const first = errors[0];
    super(first.message, first.span, first.source, first.hint, first.rule, first.file);
  }

  override format(): string {
    return [...this.errors.map((e) => e.format()), `${this.errors.length} errors`].join('\n\n');
  }
}

/** Every error of `errors` (at least one), as one error to throw. */
export function allErrors(errors: readonly RuleError[]): RuleError {
  return errors.length === 1 ? errors[0] : new RuleErrors(errors);
}

/** Computes line and column for offsets in one source text. */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly file?: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  span(offset: number, length = 1): Span {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - this.lineStarts[lo] + 1, length };
  }

  error(message: string, offset: number, length = 1, hint?: string, rule?: string): RuleError {
    return new RuleError(message, this.span(offset, length), this.text, hint, rule, this.file);
  }
}
