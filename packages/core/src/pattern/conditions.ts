import { MalformedPatternError } from './errors.js';

/**
 * What a condition may ask about the partial match it is evaluated for (Flink's
 * IterativeCondition.Context), and about time.
 */
export interface ConditionContext<E> {
  /** Events already taken for `name` in the current partial match, in match order (iterative conditions only). */
  getEventsForPattern(name: string): Iterable<E>;
  /** Timestamp of the event being evaluated. */
  timestamp(): number;
  /** The operator's processing time (its clock) when the event is evaluated. */
  currentProcessingTime(): number;
}

/**
 * A condition written as a function. One that declares a second parameter (`(e, ctx) => ...`) is
 * iterative: it may read the partial match, so it is evaluated for each run. One with a single
 * parameter is simple (Flink's SimpleCondition): it is evaluated once per event for all runs.
 */
export type Condition<E> = (event: E, ctx: ConditionContext<E>) => boolean;

/** A literal a field is compared with. */
export type FieldValue = string | number | boolean | null;

/** `==` and `!=` are strict (`===`, `!==`); the orderings hold only between two numbers or two strings. */
export type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * A field of the event: a property name, or the path of names to a nested one
 * (`['extra_info', 'page']` is `event.extra_info.page`). A value on the way that is not an object
 * has no fields (each reads as undefined).
 */
export type FieldName = string | readonly string[];

/**
 * A condition as data: the compiler and the runtimes inspect it (field tests on one top-level
 * field are decided from one read of that field per event; simple conditions once per event;
 * negations from their operand).
 */
export type ConditionNode<E> =
  | { readonly kind: 'true' }
  | { readonly kind: 'compare'; readonly field: FieldName; readonly op: Comparison; readonly value: FieldValue }
  | { readonly kind: 'in'; readonly field: FieldName; readonly values: readonly FieldValue[] }
  | { readonly kind: 'not'; readonly operand: ConditionNode<E> }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly ConditionNode<E>[] }
  | { readonly kind: 'predicate'; readonly test: Condition<E>; readonly iterative: boolean };

/** An object shorthand: every listed field equals its value (`{ code: 'A', region: 'eu' }`). */
export type FieldEquals = { readonly [field: string]: FieldValue };

/** What `where`, `or` and `until` accept. */
export type ConditionInput<E> = ConditionNode<E> | Condition<E> | FieldEquals;

export const TRUE: ConditionNode<any> = Object.freeze({ kind: 'true' });

/**
 * Comparisons of one field of the event: `field('code').eq('A')`, `field('amount').gt(100)`,
 * `field('code').in(['A', 'B'])`, and of nested ones: `field(['extra_info', 'page']).eq('cart')`.
 */
export function field<E = any>(path: FieldName) {
  const name = fieldName(path);
  const compare =
    (op: Comparison) =>
    (value: FieldValue): ConditionNode<E> => ({ kind: 'compare', field: name, op, value: checkValue(value) });
  return {
    eq: compare('=='),
    ne: compare('!='),
    lt: compare('<'),
    le: compare('<='),
    gt: compare('>'),
    ge: compare('>='),
    in: (values: readonly FieldValue[]): ConditionNode<E> => {
      if (!Array.isArray(values)) throw new MalformedPatternError('field(...).in: give an array of values');
      return { kind: 'in', field: name, values: [...new Set(values.map(checkValue))] };
    },
  };
}

/** A function condition that only reads the event, evaluated once per event. */
export function simple<E>(test: (event: E) => boolean): ConditionNode<E> {
  checkFunction(test);
  return { kind: 'predicate', test, iterative: false };
}

/** A function condition that reads the partial match through ctx, evaluated for each run. */
export function iterative<E>(test: Condition<E>): ConditionNode<E> {
  checkFunction(test);
  return { kind: 'predicate', test, iterative: true };
}

export function not<E>(c: ConditionInput<E>): ConditionNode<E> {
  return { kind: 'not', operand: conditionNode(c) };
}

export function and<E>(...cs: ConditionInput<E>[]): ConditionNode<E> {
  const operands = cs.map(conditionNode).flatMap((c) => (c.kind === 'and' ? c.operands : c.kind === 'true' ? [] : [c]));
  return operands.length === 0 ? TRUE : operands.length === 1 ? operands[0] : { kind: 'and', operands };
}

export function or<E>(...cs: ConditionInput<E>[]): ConditionNode<E> {
  const operands = cs.map(conditionNode).flatMap((c) => (c.kind === 'or' ? c.operands : [c]));
  if (operands.some((c) => c.kind === 'true')) return TRUE;
  return operands.length === 1 ? operands[0] : { kind: 'or', operands };
}

/** The node a condition input stands for; throws MalformedPatternError for anything else. */
export function conditionNode<E>(c: ConditionInput<E>): ConditionNode<E> {
  if (typeof c === 'function') return c.length >= 2 ? iterative(c) : simple(c as (event: E) => boolean);
  if (typeof c !== 'object' || c === null)
    throw new MalformedPatternError(
      'The condition cannot be null: pass a function (event, ctx) => boolean, a condition such as field(name).eq(value), or an object of field values.',
    );
  if (isNode(c)) return c;
  const entries = Object.entries(c);
  if (entries.length === 0) throw new MalformedPatternError('An object condition needs at least one field');
  return and(...entries.map(([name, value]) => field<E>(name).eq(value)));
}

/** True when evaluating the condition may read the partial match (then it is evaluated run by run). */
export function isIterative<E>(c: ConditionNode<E>): boolean {
  switch (c.kind) {
    case 'predicate':
      return c.iterative;
    case 'not':
      return isIterative(c.operand);
    case 'and':
    case 'or':
      return c.operands.some(isIterative);
    default:
      return false;
  }
}

const KINDS = new Set(['true', 'compare', 'in', 'not', 'and', 'or', 'predicate']);

function isNode(c: object): c is ConditionNode<unknown> {
  const kind = (c as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return false;
  // an object shorthand may have a field named kind: a node has exactly its own keys
  const keys = Object.keys(c).length;
  switch (kind) {
    case 'true':
      return keys === 1;
    case 'compare':
      return keys === 4;
    case 'in':
    case 'predicate':
      return keys === 3;
    default:
      return keys === 2;
  }
}

function checkValue(v: FieldValue): FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v))) return v;
  throw new MalformedPatternError(`A field is compared with a string, number, boolean or null, not ${typeof v === 'number' ? 'NaN' : typeof v}`);
}

function checkFunction(f: unknown): void {
  if (typeof f !== 'function') throw new MalformedPatternError('The condition cannot be null: pass a function (event, ctx) => boolean.');
}

/** A field name checked and normalized: a path of one name is that name; a path is copied. */
function fieldName(path: FieldName): FieldName {
  if (typeof path === 'string' && path !== '') return path; // the common case, with nothing to copy
  const names = typeof path === 'string' ? [path] : Array.isArray(path) ? path : [];
  if (names.length === 0 || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new MalformedPatternError('field: give the name of a field, or the path of names to a nested one');
  }
  return names.length === 1 ? names[0] : Object.freeze([...names]);
}

/**
 * The event's field, as conditions read it (undefined for a value on the way that is not an
 * object). Conditions compare it with strings, numbers, booleans and null only, so a property an
 * object inherits (a function, an object) never passes for one of those values.
 */
export function readField(event: unknown, name: FieldName): unknown {
  if (typeof name === 'string') return typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[name] : undefined;
  let v = event;
  for (let i = 0; i < name.length; i++) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[name[i]];
  }
  return v;
}

/** readField for one field, specialized to a top-level name (the common case, read for every event). */
function fieldReader(name: FieldName): (event: unknown) => unknown {
  if (typeof name === 'string') return (e) => (typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : undefined);
  return (e) => readField(e, name);
}

/** The field as text, for descriptions: its name, or its path joined with dots. */
export function fieldText(name: FieldName): string {
  return typeof name === 'string' ? name : name.join('.');
}

/** The condition as one function, built from its data once (for the runtimes to call). */
export function conditionTest<E>(c: ConditionNode<E>): Condition<E> {
  switch (c.kind) {
    case 'true':
      return () => true;
    case 'compare': {
      const { op, value } = c;
      const field = fieldReader(c.field);
      if (op === '==') return (e) => field(e) === value;
      if (op === '!=') return (e) => field(e) !== value;
      const type = typeof value;
      if (type !== 'number' && type !== 'string') return () => false;
      // one closure per ordering: these run for every event a rule's field admits
      const x = value as number;
      const read = (e: E) => {
        const v = field(e);
        return typeof v === type ? (v as number) : NaN; // NaN: every ordering is false
      };
      if (op === '<') return (e) => read(e) < x;
      if (op === '<=') return (e) => read(e) <= x;
      if (op === '>') return (e) => read(e) > x;
      return (e) => read(e) >= x;
    }
    case 'in': {
      const field = fieldReader(c.field);
      const values = new Set(c.values);
      return (e) => values.has(field(e) as FieldValue);
    }
    case 'not': {
      const operand = conditionTest(c.operand);
      return (e, ctx) => !operand(e, ctx);
    }
    case 'and': {
      const operands = c.operands.map(conditionTest);
      return (e, ctx) => {
        for (let i = 0; i < operands.length; i++) if (!operands[i](e, ctx)) return false;
        return true;
      };
    }
    case 'or': {
      const operands = c.operands.map(conditionTest);
      return (e, ctx) => {
        for (let i = 0; i < operands.length; i++) if (operands[i](e, ctx)) return true;
        return false;
      };
    }
    case 'predicate':
      return c.test;
  }
}

/**
 * When the condition holds only for events whose `name` field has one of a few values (an `==`
 * or `in` on it, alone or in a conjunction): those values, and the rest of the conjunction
 * (undefined: nothing else). Else undefined.
 */
export function valuesOf<E>(c: ConditionNode<E>, name: string): { values: readonly FieldValue[]; rest: ConditionNode<E> | undefined } | undefined {
  if (c.kind === 'compare' && c.op === '==' && c.field === name) return { values: [c.value], rest: undefined };
  if (c.kind === 'in' && c.field === name) return { values: c.values, rest: undefined };
  if (c.kind !== 'and') return undefined;
  const at = c.operands.findIndex((o) => o.kind !== 'and' && valuesOf(o, name) !== undefined);
  const test = at < 0 ? undefined : valuesOf(c.operands[at], name);
  if (test === undefined) return undefined;
  const rest = c.operands.filter((_, i) => i !== at);
  return { values: test.values, rest: rest.length === 1 ? rest[0] : { kind: 'and', operands: rest } };
}

/** The top-level field a `==` or `in` test (alone or first in a conjunction) reads, if any: the candidate for one read per event. */
export function keyFieldOf<E>(c: ConditionNode<E>): string | undefined {
  if (c.kind !== 'and') return topLevelKeyField(c);
  for (const o of c.operands) {
    const f = topLevelKeyField(o);
    if (f !== undefined) return f;
  }
  return undefined;
}

/** The field of an `==` or `in` test on a top-level field, else undefined. */
function topLevelKeyField<E>(c: ConditionNode<E>): string | undefined {
  return ((c.kind === 'compare' && c.op === '==') || c.kind === 'in') && typeof c.field === 'string' ? c.field : undefined;
}

/** A short readable form of the condition, for explain output and error messages. */
export function describeCondition<E>(c: ConditionNode<E>): string {
  switch (c.kind) {
    case 'true':
      return 'true';
    case 'compare':
      return `${fieldText(c.field)} ${c.op} ${JSON.stringify(c.value)}`;
    case 'in':
      return `${fieldText(c.field)} in [${c.values.map((v) => JSON.stringify(v)).join(', ')}]`;
    case 'not':
      return `not(${describeCondition(c.operand)})`;
    case 'and':
    case 'or':
      return `(${c.operands.map(describeCondition).join(` ${c.kind} `)})`;
    case 'predicate':
      return c.iterative ? '(e, ctx) => ...' : '(e) => ...';
  }
}
