import type { AggregateFn, Expr, ScalarFn } from './ast.js';
import { TimeReader, TimeZone } from './time.js';

/** How an expression finds events: the current event of a variable, and all events taken for it. */
export interface Env<E> {
  current(variable: string): E | undefined;
  events(variable: string): readonly E[];
  /** Incrementally maintained aggregate values, by the aggregate's position in the expression (see aggregateCalls). */
  aggregate?(index: number): unknown;
}

export type Evaluator<E> = (env: Env<E>) => unknown;

/**
 * Compiles an expression to a closure tree. No user text is ever evaluated as JavaScript, and
 * field access only reads an object's own properties, so rules cannot reach prototypes or globals.
 */
export function compileExpr<E>(e: Expr, calls: Expr[] = aggregateCalls(e), zone: TimeZone = TimeZone.UTC): Evaluator<E> {
  const sub = (x: Expr) => compileExpr<E>(x, calls, zone);
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'variable': {
      const v = e.variable;
      return (env) => env.current(v);
    }
    case 'field': {
      const { variable, path } = e;
      const read = pathReader(path);
      return (env) => read(env.current(variable));
    }
    case 'unary': {
      const arg = sub(e.arg);
      return e.op === 'NOT' ? (env) => !truthy(arg(env)) : (env) => -toNumber(arg(env));
    }
    case 'binary':
      return binary(e.op, sub(e.left), sub(e.right));
    case 'in': {
      const arg = sub(e.arg);
      const list = e.list.map(sub);
      const negated = e.negated;
      return (env) => {
        const v = arg(env);
        if (v === undefined || v === null) return false;
        return list.some((x) => equals(v, x(env))) !== negated;
      };
    }
    case 'like': {
      const arg = sub(e.arg);
      const pattern = sub(e.pattern);
      const negated = e.negated;
      let cache: { p: string; re: RegExp } | undefined;
      return (env) => {
        const v = arg(env);
        const p = pattern(env);
        if (v === undefined || v === null || typeof p !== 'string') return false;
        if (cache?.p !== p) cache = { p, re: likeToRegExp(p) };
        return cache.re.test(asText(v)) !== negated;
      };
    }
    case 'isNull': {
      const arg = sub(e.arg);
      const negated = e.negated;
      return (env) => {
        const v = arg(env);
        return (v === undefined || v === null) !== negated;
      };
    }
    case 'call': {
      const computed = aggregate<E>(e.fn, e.arg);
      const index = calls.indexOf(e);
      return (env) => (env.aggregate !== undefined ? env.aggregate(index) : computed(env));
    }
    case 'fn':
      return scalar(e.fn, e.args.map(sub), zone);
    case 'case': {
      const whens = e.whens.map((w) => [sub(w.when), sub(w.result)] as const);
      const otherwise = e.else === undefined ? () => null : sub(e.else);
      return (env) => {
        for (const [when, then] of whens) if (truthy(when(env))) return then(env);
        return otherwise(env);
      };
    }
    case 'nav': {
      const { fn, variable, offset } = e;
      const read = pathReader(e.path);
      // the variable's events, oldest first (the current one last when it is being matched)
      return (env) => {
        const events = env.events(variable);
        const i = fn === 'FIRST' ? offset : events.length - 1 - offset;
        return i >= 0 && i < events.length ? read(events[i]) : undefined;
      };
    }
  }
}

const isMissing = (v: unknown) => v === undefined || v === null;

/** A scalar function: NULL in, NULL out (but COALESCE and CONCAT, which skip NULLs). */
function scalar<E>(fn: ScalarFn, args: Evaluator<E>[], zone: TimeZone): Evaluator<E> {
  const [a, b, c] = args;
  const times = new TimeReader(zone);
  const num = (x: Evaluator<E>, env: Env<E>) => {
    const v = x(env);
    return isMissing(v) ? undefined : toNumber(v);
  };
  const text = (x: Evaluator<E>, env: Env<E>) => {
    const v = x(env);
    return isMissing(v) ? undefined : asText(v);
  };
  /** A function of one number: NULL for a missing argument. */
  const ofNumber =
    (f: (n: number) => number): Evaluator<E> =>
    (env) => {
      const n = num(a, env);
      return n === undefined ? null : f(n);
    };
  /** The wall-clock fields of a time (epoch ms, or date-time text) in the rule's zone. */
  const wall = (env: Env<E>) => {
    const v = a(env);
    const t = typeof v === 'number' || typeof v === 'string' ? times.read(v) : undefined;
    return typeof t === 'number' ? new Date(t + zone.offsetAt(t)) : undefined;
  };
  switch (fn) {
    case 'COALESCE':
      return (env) => {
        for (const x of args) {
          const v = x(env);
          if (!isMissing(v)) return v;
        }
        return null;
      };
    case 'CONCAT':
      return (env) => args.map((x) => text(x, env) ?? '').join('');
    case 'ABS':
      return ofNumber(Math.abs);
    case 'FLOOR':
      return ofNumber(Math.floor);
    case 'CEIL':
      return ofNumber(Math.ceil);
    case 'ROUND':
      // half away from zero, as SQL rounds
      return (env) => {
        const n = num(a, env);
        const digits = b === undefined ? 0 : num(b, env);
        if (n === undefined || digits === undefined) return null;
        const f = 10 ** Math.trunc(digits);
        return (Math.sign(n) * Math.round(Math.abs(n) * f)) / f;
      };
    case 'LOWER':
      return (env) => text(a, env)?.toLowerCase() ?? null;
    case 'UPPER':
      return (env) => text(a, env)?.toUpperCase() ?? null;
    case 'LENGTH':
      // in characters (code points), not UTF-16 units
      return (env) => {
        const s = text(a, env);
        return s === undefined ? null : [...s].length;
      };
    case 'SUBSTR':
      // SUBSTR(s, start [, length]), 1-based and in characters, as in SQL
      return (env) => {
        const s = text(a, env);
        const start = num(b, env);
        const length = c === undefined ? Infinity : num(c, env);
        if (s === undefined || start === undefined || length === undefined) return null;
        const chars = [...s];
        const from = Math.max(0, Math.trunc(start) - 1);
        return chars.slice(from, from + Math.max(0, Math.trunc(length))).join('');
      };
    case 'HOUR_OF_DAY':
      return (env) => wall(env)?.getUTCHours() ?? null;
    case 'DAY_OF_WEEK':
      // ISO: 1 is Monday, 7 is Sunday
      return (env) => {
        const d = wall(env);
        return d === undefined ? null : d.getUTCDay() === 0 ? 7 : d.getUTCDay();
      };
  }
}

/** The direct sub-expressions of a node, left to right. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'unary':
    case 'isNull':
    case 'call':
      return [e.arg];
    case 'binary':
      return [e.left, e.right];
    case 'in':
      return [e.arg, ...e.list];
    case 'like':
      return [e.arg, e.pattern];
    case 'fn':
      return e.args;
    case 'case':
      return [...e.whens.flatMap((w) => [w.when, w.result]), ...(e.else ? [e.else] : [])];
    default:
      return [];
  }
}

/** Visits every node, parents first, left to right; `inCall` tells whether an aggregate encloses it. */
export function walk(e: Expr, visit: (x: Expr, inCall: boolean) => void, inCall = false): void {
  visit(e, inCall);
  for (const c of children(e)) walk(c, visit, inCall || e.kind === 'call');
}

/** The variables an expression mentions (inside aggregates too), in order of appearance. */
export function variablesOf(e: Expr): string[] {
  const out: string[] = [];
  walk(e, (x) => {
    if ((x.kind === 'variable' || x.kind === 'field' || x.kind === 'nav') && !out.includes(x.variable)) out.push(x.variable);
  });
  return out;
}

/** Whether the expression reads other events of a variable than its latest (navigation). */
export function hasNavigation(e: Expr): boolean {
  let found = false;
  walk(e, (x) => {
    if (x.kind === 'nav') found = true;
  });
  return found;
}

/** The outermost aggregate calls of an expression, in a fixed order (their index identifies them). */
export function aggregateCalls(e: Expr): Extract<Expr, { kind: 'call' }>[] {
  const out: Extract<Expr, { kind: 'call' }>[] = [];
  walk(e, (x, inCall) => {
    if (x.kind === 'call' && !inCall) out.push(x);
  });
  return out;
}

/** The first aggregate call in an expression, if any. */
export function findAggregate(e: Expr): Extract<Expr, { kind: 'call' }> | undefined {
  return aggregateCalls(e)[0];
}

function aggregate<E>(fn: AggregateFn, argExpr: Expr): Evaluator<E> {
  const variable = variablesOf(argExpr)[0];
  const arg = compileExpr<E>(argExpr);
  const isCount = fn === 'COUNT' && argExpr.kind === 'variable';
  return (env) => {
    if (variable === undefined) return null;
    const events = env.events(variable);
    if (isCount) return events.length;
    const values: unknown[] = [];
    for (const ev of events) {
      const v = arg(singleEnv(env, variable, ev));
      if (v !== undefined && v !== null) values.push(v);
    }
    switch (fn) {
      case 'COUNT':
        return values.length;
      case 'DISTINCT':
        return new Set(values.map(distinctKey)).size;
      case 'SUM':
        return values.reduce<number>((s, v) => s + toNumber(v), 0);
      case 'AVG':
        return values.length === 0 ? null : values.reduce<number>((s, v) => s + toNumber(v), 0) / values.length;
      case 'MAX':
        return values.length === 0 ? null : values.reduce((a, b) => (compare(b, a) > 0 ? b : a));
      case 'MIN':
        return values.length === 0 ? null : values.reduce((a, b) => (compare(b, a) < 0 ? b : a));
    }
  };
}

function singleEnv<E>(outer: Env<E>, variable: string, event: E): Env<E> {
  return {
    current: (v) => (v === variable ? event : outer.current(v)),
    events: (v) => outer.events(v),
  };
}

function binary<E>(op: string, l: Evaluator<E>, r: Evaluator<E>): Evaluator<E> {
  switch (op) {
    case 'AND':
      return (env) => truthy(l(env)) && truthy(r(env));
    case 'OR':
      return (env) => truthy(l(env)) || truthy(r(env));
    case '=':
      return (env) => {
        const a = l(env);
        const b = r(env);
        return a !== undefined && a !== null && b !== undefined && b !== null && equals(a, b);
      };
    case '!=':
      return (env) => {
        const a = l(env);
        const b = r(env);
        return a !== undefined && a !== null && b !== undefined && b !== null && !equals(a, b);
      };
    case '<':
      return (env) => compareNonNull(l(env), r(env), (c) => c < 0);
    case '<=':
      return (env) => compareNonNull(l(env), r(env), (c) => c <= 0);
    case '>':
      return (env) => compareNonNull(l(env), r(env), (c) => c > 0);
    case '>=':
      return (env) => compareNonNull(l(env), r(env), (c) => c >= 0);
    case '+':
      return (env) => toNumber(l(env)) + toNumber(r(env));
    case '-':
      return (env) => toNumber(l(env)) - toNumber(r(env));
    case '*':
      return (env) => toNumber(l(env)) * toNumber(r(env));
    case '/':
      return (env) => toNumber(l(env)) / toNumber(r(env));
    default:
      return (env) => toNumber(l(env)) % toNumber(r(env));
  }
}

/** Values count as the same for DISTINCT when equal; objects when their JSON is. */
export function distinctKey(v: unknown): unknown {
  return typeof v === 'object' ? JSON.stringify(v) : v;
}

/**
 * Whether a plain object or array can inherit a property of this name (`toString`, `map`,
 * `__proto__`): only such names need the own-property check. Events are JSON values, whose objects
 * and arrays inherit from Object.prototype and Array.prototype only, so a plain read of any other
 * name is the own property or undefined.
 */
const inheritable = (k: string) => k in Object.prototype || k in Array.prototype;

/** One step of a path: the own property `k` of an object or array, else undefined. */
function stepReader(k: string): (v: unknown) => unknown {
  const own = Object.prototype.hasOwnProperty;
  if (inheritable(k)) return (v) => (v !== null && typeof v === 'object' && own.call(v, k) ? (v as Record<string, unknown>)[k] : undefined);
  return (v) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);
}

/**
 * A reader for one path: readPath specialized to one or two keys (the common `e.user_id` and
 * `e.extra_info.k`), so that each key is a constant at its property access. Reads own properties
 * only; a JSON string met on the way is not parsed (events are normalized first).
 */
export function pathReader(path: readonly string[]): (value: unknown) => unknown {
  if (path.length === 1) return stepReader(path[0]);
  if (path.length === 2) {
    const [k0, k1] = path;
    if (!inheritable(k0) && !inheritable(k1)) {
      return (v) => {
        if (v === null || typeof v !== 'object') return undefined;
        const w = (v as Record<string, unknown>)[k0];
        return w !== null && typeof w === 'object' ? (w as Record<string, unknown>)[k1] : undefined;
      };
    }
    const first = stepReader(k0);
    const second = stepReader(k1);
    return (v) => second(first(v));
  }
  return (v) => readPath(v, path);
}

export function readPath(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function truthy(v: unknown): boolean {
  return v === true || (v !== false && v !== null && v !== undefined && v !== 0 && v !== '' && !Number.isNaN(v));
}

/** Numbers as they are; numeric strings and booleans converted; anything else NaN. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
}

/** A value as text: objects and arrays by their JSON (so `["a"]` is not the text `a`). */
export function asText(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** Numbers and numeric strings compare as numbers; everything else as text (see asText). */
function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return toNumber(a) === toNumber(b);
  return asText(a) === asText(b);
}

/**
 * Whether `=` with this literal means plain identity: for a string that is not numeric, not
 * TRUE or FALSE spelled as text, and not JSON of an object or array, `x = 'lit'` holds exactly
 * when x is that string (see equals). Such comparisons become conditions as data.
 */
export function equalsOnlyItself(literal: unknown): literal is string {
  return typeof literal === 'string' && Number.isNaN(toNumber(literal)) && literal !== 'true' && literal !== 'false' && !/^\s*[[{]/.test(literal);
}

function compare(a: unknown, b: unknown): number {
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  const s = asText(a);
  const t = asText(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

function compareNonNull(a: unknown, b: unknown, test: (c: number) => boolean): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  return test(compare(a, b));
}

function likeToRegExp(p: string): RegExp {
  let re = '^';
  for (const ch of p) re += ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(re + '$', 's');
}

/** The expression as rule text (for explanations; rules read from JSON have no source to quote). */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? `'${e.value.replace(/'/g, "''")}'` : String(e.value).toUpperCase();
    case 'variable':
      return e.variable;
    case 'field':
      return [e.variable, ...e.path].join('.');
    case 'unary':
      return e.op === 'NOT' ? `NOT ${exprText(e.arg)}` : `-${exprText(e.arg)}`;
    case 'binary': {
      const side = (x: Expr) => (x.kind === 'binary' && (x.op === 'AND' || x.op === 'OR') && x.op !== e.op ? `(${exprText(x)})` : exprText(x));
      return `${side(e.left)} ${e.op} ${side(e.right)}`;
    }
    case 'in':
      return `${exprText(e.arg)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(exprText).join(', ')})`;
    case 'like':
      return `${exprText(e.arg)} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${exprText(e.pattern)}`;
    case 'isNull':
      return `${exprText(e.arg)} IS ${e.negated ? 'NOT NULL' : 'NULL'}`;
    case 'call':
      return `${e.fn}(${exprText(e.arg)})`;
    case 'fn':
      return `${e.fn}(${e.args.map(exprText).join(', ')})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${exprText(w.when)} THEN ${exprText(w.result)}`).join(' ')}${e.else ? ` ELSE ${exprText(e.else)}` : ''} END`;
    case 'nav': {
      const standard = e.offset === (e.fn === 'PREV' ? 1 : 0);
      return `${e.fn}(${[e.variable, ...e.path].join('.')}${standard ? '' : `, ${e.offset}`})`;
    }
  }
}
