import type { SourceText } from './errors.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier or operator text, string contents, or number source. */
  readonly text: string;
  readonly offset: number;
  readonly length: number;
}

// longest first, so that "->>" wins over "->" and "<=" over "<"
const OPERATORS = ['->>', '->', '==', '!=', '<>', '<=', '>=', '=', '<', '>', '!', ',', '+', '-', '*', '/', '%', '?', '{', '}', '(', ')', '[', ']', '.', ':', '|'];

/** Splits rule text into tokens; `--` starts a comment that runs to the end of the line. */
export function tokenize(src: SourceText): Token[] {
  const text = src.text;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_$]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i])) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), offset: start, length: i - start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i])) i++;
      if (text[i] === '.' && /[0-9]/.test(text[i + 1] ?? '')) {
        i++;
        while (i < text.length && /[0-9]/.test(text[i])) i++;
      }
      tokens.push({ kind: 'number', text: text.slice(start, i), offset: start, length: i - start });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let value = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\n') throw src.error('unterminated string', start, i - start, `close it with ${c} on the same line`);
        if (text[i] === '\\' && i + 1 < text.length) {
          const next = text[i + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        value += text[i++];
      }
      if (i >= text.length) throw src.error('unterminated string', start, i - start, `close it with ${c}`);
      i++;
      tokens.push({ kind: 'string', text: value, offset: start, length: i - start });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) throw src.error(`unexpected character '${c}'`, i, 1, 'rules use letters, digits, quotes and the operators -> ->> , ! + * ? { } ( ) = != < <= > >=');
    tokens.push({ kind: 'op', text: op, offset: i, length: op.length });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', offset: text.length, length: 0 });
  return tokens;
}
