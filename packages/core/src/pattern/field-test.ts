import type { Condition } from './conditions.js';

/** A literal a field is compared with. */
export type FieldValue = string | number | boolean | null;

/**
 * A condition the engine can read instead of call: `event[field] === value` (or `!==` when
 * `equal` is false), for an event that is an object. The runtimes evaluate it themselves (no call
 * through a site that sees every rule's functions) and, when all of a pattern's conditions test
 * one field, tell an event that no condition holds for from one read of that field.
 */
export interface FieldTest {
  readonly field: string;
  readonly value: FieldValue;
  readonly equal: boolean;
}

/** The condition `event[field] === value`, marked so that the runtimes read it (see FieldTest). */
export function fieldEquals<E>(field: string, value: FieldValue): Condition<E> {
  const c: Condition<E> = (e) => (e as Record<string, unknown>)[field] === value;
  known.set(c, { field, value, equal: true });
  return c;
}

/**
 * The field test condition `c` is: one made by fieldEquals, or a function whose source is one,
 * such as `e => e.code === "A"`, `(e) => e.n !== 3` or `function (e) { return "A" === e.code; }`.
 * The source decides what such a function does: its only name is its parameter, and its only
 * other parts are a property name and a literal. Anything else (another name, an escape in the
 * string, a comment) is not read, and the condition is called as usual.
 */
export function fieldTestOf(c: Condition<any>): FieldTest | undefined {
  if (typeof c !== 'function') return undefined;
  let test = known.get(c);
  if (test === undefined) known.set(c, (test = fromSource(sourceOf.call(c))));
  return test ?? undefined;
}

const known = new WeakMap<Condition<any>, FieldTest | null>();
/** Taken when this module loads: a later change to Function.prototype.toString does not affect what is read. */
const sourceOf = Function.prototype.toString;

const NAME = '[A-Za-z_$][\\w$]*';
const LITERAL = `"[^"\\\\\\n\\r]*"|'[^'\\\\\\n\\r]*'|-?(?:0|[1-9]\\d*)(?:\\.\\d+)?|true|false|null`;
/** `(p, ctx) =>` or `function name(p, ctx)`: group 1 is the parameter (a second one, unused, is allowed). */
const HEAD = `^\\s*(?:\\(?\\s*(${NAME})\\s*(?:,\\s*${NAME}\\s*)?\\)?\\s*=>|function\\s*(?:${NAME})?\\s*\\(\\s*(${NAME})\\s*(?:,\\s*${NAME}\\s*)?\\))\\s*`;
const HEAD_RE = new RegExp(HEAD);
const FIELD_FIRST = new RegExp(`^(${NAME})\\.(${NAME})\\s*(===|!==)\\s*(${LITERAL})$`);
const LITERAL_FIRST = new RegExp(`^(${LITERAL})\\s*(===|!==)\\s*(${NAME})\\.(${NAME})$`);

function fromSource(source: string): FieldTest | null {
  const head = HEAD_RE.exec(source);
  if (head === null) return null;
  const param = head[1] ?? head[2];
  const isArrow = head[1] !== undefined;
  let body = source.slice(head[0].length).trim();
  // a block that only returns the expression (a function's body is always one): `return`, then
  // blanks or a quote, parenthesis or minus sign, but no line break (which would return undefined)
  const block = /^\{\s*return(?:[ \t]+|(?=["'(-]))([^;{}]*?)\s*;?\s*\}$/.exec(body);
  if (block !== null) body = block[1];
  else if (!isArrow) return null;
  if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1).trim();
  let m = FIELD_FIRST.exec(body);
  if (m !== null) return m[1] === param ? test(m[2], m[3], m[4]) : null;
  m = LITERAL_FIRST.exec(body);
  return m !== null && m[3] === param ? test(m[4], m[2], m[1]) : null;
}

function test(field: string, op: string, literal: string): FieldTest | null {
  const value: FieldValue =
    literal[0] === '"' || literal[0] === "'" ? internalized(literal.slice(1, -1)) : literal === 'true' ? true : literal === 'false' ? false : literal === 'null' ? null : Number(literal);
  return { field, value, equal: op === '===' };
}

/**
 * The string as engines keep property names (one copy per content, array indexes aside): V8 then
 * compares it with a string from a literal or a property name by pointer, not character by character.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0];
}
