import {
  AfterMatchSkipStrategy,
  and,
  compilePattern,
  conditionTest,
  describeCondition,
  field,
  iterative,
  MalformedPatternError,
  Pattern,
  anyOf,
  type Alternatives,
  simple,
  type Condition,
  type ConditionContext,
  type ConditionNode,
} from '@cepheus/core';
import type { Expr, Quantifier, RuleAst, SeqItem } from './ast.js';
import { allErrors, RuleError, type SourceText } from './errors.js';
import { aggregateCalls, compileExpr, equalsOnlyItself, exprText, findAggregate, hasNavigation, pathReader, variablesOf, walk, type Env, type Evaluator } from './expressions.js';
import { TimeZone } from './time.js';
import { windowAggregates, type WindowAggregates, type WindowAggregatesMaker } from './window-aggregates.js';
import type { StandardEvent } from './standard-event.js';

export type Match = Map<string, StandardEvent[]>;

/** A REPEAT rule: a windowed aggregation over one variable's events per key. */
export interface RepeatSpec {
  readonly variable: string;
  readonly min: number;
  readonly max: number | null;
  readonly withinMs: number;
  /** Per-event filter: the variable's event codes and its WHERE conditions. */
  readonly accepts: (e: StandardEvent) => boolean;
  /**
   * The filter is the event-code test alone, which the engine's dispatch by event code already
   * makes (a rule gets only events of its codes, or every event for `*`): no need to call it.
   */
  readonly acceptsByCode: boolean;
  /**
   * Aggregate state for the windows of one runner (what HAVING needs, kept up to date
   * incrementally): called once per runner, it returns the maker of each key window's state.
   */
  readonly aggregates: () => WindowAggregatesMaker<StandardEvent>;
  /** HAVING computed from the events alone, without incremental state (for the NFA formulation). */
  readonly havingOver: (events: readonly StandardEvent[]) => boolean;
  /** HAVING over the window's events and their aggregates (true when absent). */
  readonly having: (last: StandardEvent, events: () => readonly StandardEvent[], aggregates: WindowAggregates<StandardEvent>) => boolean;
}

/** A rule ready to run: an NFA pattern, or a windowed aggregation for REPEAT rules. */
export interface CompiledRule {
  readonly name: string;
  readonly kind: 'nfa' | 'repeat';
  /** Input event codes the rule reads: those its variables declare, or its INPUT clause's. */
  readonly codes: ReadonlySet<string>;
  /**
   * The rule reads every input event of its partition, whatever its code: strict contiguity (`,`)
   * needs to see the event that comes next, and an INPUT clause is the way to narrow it.
   */
  readonly allEvents: boolean;
  /** The pattern, or for a rule with PERMUTE its alternatives (one per order). */
  readonly pattern?: Pattern<StandardEvent> | Alternatives<StandardEvent>;
  readonly repeat?: RepeatSpec;
  /**
   * The partition key of an event (see partitionKey), and how it was chosen. A key that reads as a
   * canonical small integer is that number (a number finds its state faster); the output event
   * carries the key as text either way.
   */
  readonly key: (e: StandardEvent) => PartitionKey | undefined;
  readonly keyDescription: string;
  /**
   * The key is read from fields an event may lack: an event of the rule's codes whose key field is
   * missing or null (undefined from key) belongs to no partition, and the engine reports it.
   */
  readonly keyCanBeMissing: boolean;
  readonly skip: string;
  readonly withinMs: number | undefined;
  /** The pattern in the core API's notation (for `cepheus explain`). */
  readonly patternText: string;
  /**
   * Why an event is or is not taken for `variable`, given the events the partial match holds: the
   * event-code test, then each WHERE condition of the variable, with the values of the fields and
   * aggregates it reads (for `cepheus trace`; the engine does not call it).
   */
  explain(variable: string, event: StandardEvent, match: Match): ConditionCheck[];
  /** For a REPEAT rule: whether HAVING holds over a window's events, with the values it reads. */
  explainHaving?(events: readonly StandardEvent[]): ConditionCheck;
  /** Where the rule is written, for errors that concern several rules (cycles, names used twice). */
  readonly origin: RuleOrigin;
  /** The zone of its HOUR_OF_DAY and DAY_OF_WEEK (the compile options', its file's TIME ZONE, or UTC). */
  readonly timeZone: TimeZone;
  /** The rule as text that changes exactly when the rule does (its parsed form without positions). */
  readonly signature: string;
  /** The names of the RETURN fields, in order (the keys of an output's extra_info). */
  readonly returnFields: readonly string[];
  /** The output event of a match (`lastTime`: the time of its latest event, when the caller knows it). */
  output(match: Match, key: PartitionKey, lastTime?: number): StandardEvent;
}

/** One condition's verdict on an event, for explanations. */
export interface ConditionCheck {
  readonly condition: string;
  readonly holds: boolean;
  /** The fields and aggregates the condition reads, by their text, with their values. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** Evaluates `e` in `env` and reads the values of the fields and aggregates in it. */
function check(e: Expr, env: Env<StandardEvent>, compile: (x: Expr) => Evaluator<StandardEvent>, text = exprText(e)): ConditionCheck {
  const values: Record<string, unknown> = {};
  walk(e, (x, inCall) => {
    if (inCall) return;
    if (x.kind === 'field' || x.kind === 'call' || x.kind === 'nav') values[exprText(x)] = compile(x)(env) ?? null;
  });
  return { condition: text, holds: compile(e)(env) === true, values };
}

/** A compiled rule's place in its source: its RULENAME, and the declaration that reads each code. */
export interface RuleOrigin {
  readonly src: SourceText;
  readonly at: number;
  readonly len: number;
  readonly codeAt: ReadonlyMap<string, { readonly at: number; readonly len: number }>;
}

/** An error at the rule's RULENAME, or at its declaration that reads `code`. */
export function ruleError(rule: CompiledRule, message: string, hint?: string, code?: string): RuleError {
  const { src, at, len, codeAt } = rule.origin;
  const place = (code !== undefined ? codeAt.get(code) : undefined) ?? { at, len };
  return src.error(message, place.at, place.len, hint, rule.name);
}

/**
 * Compiles parsed rules. `src` locates errors in the rule text; rules loaded from JSON have none,
 * and their errors point at the rule (line 1 of a one-line description).
 */
/** How rules are compiled: the time zone of HOUR_OF_DAY and DAY_OF_WEEK (default UTC). */
export interface CompileOptions {
  readonly timeZone?: TimeZone;
}

export function compileAsts(rules: RuleAst[], src: SourceText, options: CompileOptions = {}): CompiledRule[] {
  const { compiled, errors } = compileEach(rules, src, options);
  if (errors.length > 0) throw allErrors(errors);
  return compiled;
}

/** Compiles each rule, going on after one that fails, so that every rule's first error is found. */
export function compileEach(rules: RuleAst[], src: SourceText, options: CompileOptions = {}): { compiled: CompiledRule[]; errors: RuleError[] } {
  const names = new Set<string>();
  const compiled: CompiledRule[] = [];
  const errors: RuleError[] = [];
  for (const r of rules) {
    try {
      if (names.has(r.name)) throw src.error(`two rules are named "${r.name}"`, r.at, r.len, 'rule names must be unique: they become the output event_code', r.name);
      names.add(r.name);
      compiled.push(new RuleCompiler(src, r, options.timeZone ?? TimeZone.UTC).compile());
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      errors.push(e);
    }
  }
  return { compiled, errors };
}

/** The variables the sequence negates (`!x`). */
function negatedVariables(items: SeqItem[], out = new Set<string>()): Set<string> {
  for (const { node } of items) {
    if (node.kind === 'group') negatedVariables(node.items, out);
    else if (node.kind === 'step' && node.negated) out.add(node.variable);
  }
  return out;
}

/** The first reference to `variable` in `e` (for an error's caret). */
function findReference(e: Expr, variable: string): Expr | undefined {
  let found: Expr | undefined;
  walk(e, (x) => {
    if (found === undefined && (x.kind === 'field' || x.kind === 'variable') && x.variable === variable) found = x;
  });
  return found;
}

/** A quantifier as written, without its `?`. */
function quantifierText(q: Quantifier): string {
  return q.kind === 'oneOrMore' ? '+' : q.kind === 'zeroOrMore' ? '*' : q.kind === 'optional' ? '?' : q.to === q.from ? `{${q.from}}` : `{${q.from},${q.to ?? ''}}`;
}

/** The most alternatives PERMUTE may expand to. */
const MAX_ALTERNATIVES = 120;

function permutations<T>(xs: readonly T[]): T[][] {
  return xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

function expandsPermute(items: SeqItem[]): boolean {
  return items.some(({ node }) => node.kind === 'permute' || (node.kind === 'group' && expandsPermute(node.items)));
}

/** The code of an any-event variable (`x: *`). */
const ANY = '*';

/** The condition that always holds. */
const TRUE: ConditionNode<StandardEvent> = and<StandardEvent>();

/** Whether the sequence has a strict link (`,`) anywhere, groups included. */
function hasStrictLink(items: SeqItem[]): boolean {
  return items.some(({ link, node }) => link === 'next' || (node.kind === 'group' && hasStrictLink(node.items)));
}

const last = <T>(xs: Iterable<T>): T | undefined => {
  let v: T | undefined;
  for (const x of xs) v = x;
  return v;
};

class RuleCompiler {
  /** Sequence variables in order, and whether each may take several events. */
  private readonly order: string[] = [];
  private readonly repeated = new Set<string>();
  private readonly conditions = new Map<string, Expr[]>();
  /** The EVENT sequence with PERMUTE expanded: one sequence per order (see expandPermutes); `sequence` is the first. */
  private alternatives: SeqItem[][] = [];
  private sequence: SeqItem[] = [];

  constructor(
    private readonly src: SourceText,
    private readonly rule: RuleAst,
    /** The zone of HOUR_OF_DAY and DAY_OF_WEEK. */
    private readonly zone: TimeZone,
  ) {}

  /** An expression's evaluator, in the rule's time zone. */
  private expr(e: Expr, calls?: Expr[]): Evaluator<StandardEvent> {
    return compileExpr<StandardEvent>(e, calls ?? aggregateCalls(e), this.zone);
  }

  private fail(message: string, at: { at: number; len: number }, hint?: string): RuleError {
    return this.src.error(message, at.at, at.len, hint, this.rule.name);
  }

  compile(): CompiledRule {
    const r = this.rule;
    this.alternatives = this.expandPermutes(r.sequence);
    this.sequence = this.alternatives[0];
    this.collectVariables(this.sequence, false);
    for (const [name, decl] of r.variables) {
      if (!this.order.includes(name)) throw this.fail(`variable '${name}' is declared but not used in EVENT`, decl, 'use it in the EVENT sequence or remove the declaration');
    }
    this.attachWhere();
    const { key, keyDescription, keyCanBeMissing } = this.partitionKey();
    // '*' (an any-event variable) is not a code: such a rule reads every event, as a strict one does
    const anyEvent = [...r.variables.values()].some((v) => v.codes.includes(ANY));
    const declared = new Set([...r.variables.values()].flatMap((v) => v.codes).filter((c) => c !== ANY));
    if (r.input) {
      const missing = [...declared].filter((c) => !r.input!.codes.includes(c));
      if (missing.length > 0) throw this.fail(`INPUT leaves out ${missing.join(', ')}, which the rule's variables match`, r.input, `add ${missing.join(' | ')} to INPUT`);
    }
    const codes = r.input ? new Set(r.input.codes) : declared;
    const allEvents = !r.input && (anyEvent || (!r.repeat && hasStrictLink(this.sequence)));
    const negated = negatedVariables(this.sequence);
    const returns = r.returns.map((f) => {
      this.checkVariables(f.expr);
      this.checkNavigation(f.expr, 'RETURN');
      const x = variablesOf(f.expr).find((v) => negated.has(v));
      if (x !== undefined)
        throw this.fail(
          `RETURN reads the negated variable '${x}', which never takes an event (it would always be NULL)`,
          findReference(f.expr, x) ?? f,
          'return fields of the variables that match',
        );
      return { alias: f.alias, eval: this.expr(f.expr) };
    });
    const output = (match: Match, k: PartitionKey, lastTime?: number): StandardEvent => {
      let time = lastTime ?? -Infinity;
      if (lastTime === undefined) for (const evs of match.values()) for (const e of evs) if (e.event_time > time) time = e.event_time;
      const env: Env<StandardEvent> = { current: (v) => last(match.get(v) ?? []), events: (v) => match.get(v) ?? [] };
      const extra: Record<string, unknown> = {};
      for (const f of returns) extra[f.alias] = f.eval(env);
      return { event_code: r.name, event_time: time, user_id: String(k), extra_info: extra };
    };
    const skipText = this.skipText();
    const codeAt = new Map<string, { at: number; len: number }>();
    for (const v of r.variables.values()) for (const c of v.codes) if (!codeAt.has(c)) codeAt.set(c, v);
    const origin: RuleOrigin = { src: this.src, at: r.at, len: r.len, codeAt };
    const explain = (variable: string, event: StandardEvent, match: Match): ConditionCheck[] => {
      const codesOf = r.variables.get(variable)?.codes ?? [];
      const checks: ConditionCheck[] = [
        codesOf.includes(ANY)
          ? { condition: 'any event', holds: true, values: { event_code: event.event_code } }
          : { condition: `event_code IN (${codesOf.join(', ')})`, holds: codesOf.includes(event.event_code), values: { event_code: event.event_code } },
      ];
      if (!checks[0].holds) return checks; // WHERE is not asked of events of other codes
      const env: Env<StandardEvent> = {
        current: (v) => (v === variable ? event : last(match.get(v) ?? [])),
        events: (v) => (v === variable ? [...(match.get(v) ?? []), event] : (match.get(v) ?? [])),
      };
      for (const x of this.conditions.get(variable) ?? []) checks.push(check(x, env, (y) => this.expr(y)));
      return checks;
    };
    const having = r.repeat?.having;
    const explainHaving =
      having === undefined
        ? undefined
        : (events: readonly StandardEvent[]): ConditionCheck => check(having, { current: () => events[events.length - 1], events: () => events }, (y) => this.expr(y));
    const base = {
      name: r.name,
      origin,
      explain,
      ...(explainHaving ? { explainHaving } : {}),
      codes,
      allEvents,
      key,
      keyDescription,
      keyCanBeMissing,
      skip: skipText,
      withinMs: r.within?.ms,
      returnFields: r.returns.map((f) => f.alias),
      timeZone: this.zone,
      signature: JSON.stringify(r, (k, v) => (k === 'at' || k === 'len' || k === 'eventAt' ? undefined : v instanceof Map ? [...v] : v)) + (this.zone.name ?? ''),
      output,
    };
    if (r.repeat) return { ...base, kind: 'repeat', repeat: this.repeatSpec(), patternText: this.repeatText() };
    this.checkSequence(this.sequence, true);
    if (this.alternatives.length === 1) {
      const { pattern, text } = this.buildPattern(this.sequence);
      return { ...base, kind: 'nfa', pattern, patternText: text };
    }
    // each order of the PERMUTE variables is an alternative, with its conditions given by its own order
    const byOrder = (alt: SeqItem[]) => {
      this.order.length = 0;
      this.collectVariables(alt, false);
      this.conditions.clear();
      for (const [v, exprs] of conditionsByVariable(this.rule, this.order)) this.conditions.set(v, exprs);
    };
    const built = this.alternatives.map((alt) => {
      byOrder(alt);
      return this.buildPattern(alt);
    });
    byOrder(this.sequence); // explanations read the first order's
    const pattern = anyOf(...built.map((b) => b.pattern));
    try {
      compilePattern(pattern);
    } catch (e) {
      if (e instanceof MalformedPatternError) throw this.fail(`this EVENT sequence cannot be compiled (${e.message})`, { at: r.eventAt, len: 5 });
      throw e;
    }
    return { ...base, kind: 'nfa', pattern, patternText: `anyOf(${built.map((b) => b.text).join(', ')})` };
  }

  /** The sequence's PERMUTE elements expanded: one sequence per combination of their orders. */
  private expandPermutes(items: SeqItem[]): SeqItem[][] {
    let out: SeqItem[][] = [[]];
    for (const item of items) {
      const { link, node } = item;
      if (node.kind === 'group') {
        if (expandsPermute(node.items)) throw this.fail('PERMUTE cannot be inside a group', node);
        out = out.map((seq) => [...seq, item]);
      } else if (node.kind === 'permute') {
        const orders = permutations(node.variables);
        if (out.length * orders.length > MAX_ALTERNATIVES)
          throw this.fail(
            `this PERMUTE makes ${out.length * orders.length} orders, more than the ${MAX_ALTERNATIVES} a rule may have`,
            node,
            'permute fewer variables (5 make 120 orders)',
          );
        out = out.flatMap((seq) =>
          orders.map((order) => [
            ...seq,
            ...order.map((v, i): SeqItem => ({ link: i === 0 ? link : 'followedBy', node: { kind: 'step', variable: v.variable, negated: false, at: v.at, len: v.len } })),
          ]),
        );
      } else out = out.map((seq) => [...seq, item]);
    }
    return out;
  }

  private collectVariables(items: SeqItem[], inLoop: boolean): void {
    for (const { node } of items) {
      const loop = inLoop || isRepeating(node.quantifier);
      if (node.kind === 'group') this.collectVariables(node.items, loop);
      else if (node.kind === 'permute') throw new Error('PERMUTE is expanded before its variables are collected');
      else {
        if (!this.rule.variables.has(node.variable)) {
          throw this.fail(`unknown variable '${node.variable}'`, node, `declare it before EVENT, e.g. '${node.variable}: EVENT_CODE'`);
        }
        if (this.order.includes(node.variable))
          throw this.fail(`variable '${node.variable}' appears twice in EVENT`, node, 'declare a second variable for the same event code: e3: SAME_CODE');
        if (node.negated && node.quantifier) throw this.fail('a negated variable cannot have a quantifier', node);
        this.order.push(node.variable);
        if (loop) this.repeated.add(node.variable);
      }
    }
  }

  private checkVariables(e: Expr): void {
    walk(e, (x, inCall) => {
      if (x.kind === 'field' || x.kind === 'variable' || x.kind === 'nav') {
        if (!this.rule.variables.has(x.variable)) {
          const known = [...this.rule.variables.keys()].join(', ');
          throw this.fail(`unknown variable '${x.variable}'`, x, `the rule's variables are ${known}; fields are written variable.field`);
        }
        if (x.kind === 'variable' && !inCall)
          throw this.fail(`'${x.variable}' is a variable, not a value`, x, `use a field such as ${x.variable}.user_id, or COUNT(${x.variable})`);
      } else if (x.kind === 'call' && inCall) {
        throw this.fail('aggregates cannot be nested', x);
      } else this.checkCanHold(x);
    });
  }

  /** Rejects tests that can never hold (a comparison with NULL, LIKE with a number) or never vary (two constants). */
  private checkCanHold(x: Expr): void {
    const isNull = (e: Expr) => e.kind === 'literal' && e.value === null;
    if (x.kind === 'like' && x.pattern.kind === 'literal' && typeof x.pattern.value !== 'string')
      throw this.fail(
        `LIKE ${String(x.pattern.value).toUpperCase()} can never hold: LIKE matches text against a text pattern`,
        x.pattern,
        "write the pattern as text, e.g. LIKE '5%', or compare with = 5",
      );
    if (x.kind !== 'binary' || !['=', '!=', '<', '<=', '>', '>='].includes(x.op)) return;
    if (isNull(x.left) || isNull(x.right)) {
      const test = x.op === '=' ? 'IS NULL' : x.op === '!=' ? 'IS NOT NULL' : undefined;
      throw this.fail(`a comparison with NULL is never true (${x.op} NULL)`, x, test ? `write ${test}` : 'test for a missing value with IS NULL');
    }
    if (x.left.kind === 'literal' && x.right.kind === 'literal')
      throw this.fail('this compares two constants: it is always true or always false', x, 'compare a field, such as e1.extra_info.amount, with a constant');
  }

  /** Each WHERE conjunct becomes a condition of the last sequence variable it mentions. */
  private attachWhere(): void {
    const where = this.rule.where;
    if (!where) return;
    for (const c of conjuncts(where)) {
      this.checkVariables(c);
      const agg = findAggregate(c);
      if (agg && !this.rule.repeat) {
        const v = variablesOf(agg.arg)[0];
        if (v !== undefined && !this.repeated.has(v))
          throw this.fail(`aggregate over '${v}', which takes a single event`, agg, `aggregates apply to repeated variables (${v}+, ${v}{n}) or to REPEAT rules`);
      }
      if (agg && this.rule.repeat) throw this.fail('aggregates of a REPEAT rule belong in HAVING', agg, 'move it to HAVING');
      this.checkNegatedReads(c);
      this.checkNavigation(c, 'WHERE');
    }
    for (const [v, exprs] of conditionsByVariable(this.rule, this.order)) this.conditions.set(v, exprs);
  }

  /** PREV, FIRST and LAST read a variable's other events: one that takes several (NFA rules), or a REPEAT window in HAVING and RETURN. */
  private checkNavigation(e: Expr, clause: 'WHERE' | 'RETURN'): void {
    walk(e, (x) => {
      if (x.kind !== 'nav') return;
      if (this.rule.repeat && clause === 'WHERE') throw this.fail(`${x.fn} in the WHERE of a REPEAT rule reads only the event itself`, x, 'read the window in HAVING');
      if (!this.rule.repeat && !this.repeated.has(x.variable))
        throw this.fail(`${x.fn} over '${x.variable}', which takes a single event`, x, `navigation reads the events of a repeated variable (${x.variable}+, ${x.variable}{n})`);
    });
  }

  /**
   * A condition that mentions a negated variable is the negation's condition ("no x such that
   * ..."), checked when an event could be that x: it can read the variables before x, never one
   * after it (nothing after x has happened yet), nor another negated variable.
   */
  private checkNegatedReads(c: Expr): void {
    const negated = negatedVariables(this.sequence);
    const vars = variablesOf(c);
    const mentioned = vars.filter((v) => negated.has(v));
    if (mentioned.length === 0) return;
    const x = mentioned[0];
    const where = findReference(c, x) ?? c;
    if (mentioned.length > 1)
      throw this.fail(
        `this condition mentions two negated variables, ${mentioned.join(' and ')}`,
        where,
        'a condition belongs to one negation: split it, one per negated variable',
      );
    const later = vars.filter((v) => this.order.indexOf(v) > this.order.indexOf(x));
    if (later.length > 0)
      throw this.fail(
        `the negated variable '${x}' is compared with '${later[0]}', which comes after it: when an event could be ${x}, no ${later[0]} has been matched yet, so this rule could never fire`,
        where,
        `compare ${x} with a variable before it (for instance ${this.order.slice(0, this.order.indexOf(x)).filter((v) => !negated.has(v))[0] ?? 'the first one'}.field = ${x}.field), which has the same meaning when both share the field`,
      );
  }

  /**
   * The variable's condition as data: its event codes as a field test (decided from one read of
   * event_code), its WHERE conditions that are field tests as such (see dataCondition), and the
   * others as a simple predicate when they read only this variable, or as an iterative one
   * (evaluated per partial match) when they read others or aggregate.
   */
  private conditionFor(variable: string): ConditionNode<StandardEvent> {
    const codes = this.rule.variables.get(variable)!.codes;
    const codeOk = codes.includes(ANY) ? TRUE : codes.length === 1 ? field<StandardEvent>('event_code').eq(codes[0]) : field<StandardEvent>('event_code').in(codes);
    const exprs = this.conditions.get(variable) ?? [];
    const local: Evaluator<StandardEvent>[] = [];
    const reading: Evaluator<StandardEvent>[] = [];
    const data: ConditionNode<StandardEvent>[] = [];
    for (const x of exprs) {
      const asData = dataCondition(x, variable);
      if (asData !== undefined) {
        data.push(asData);
        continue;
      }
      const uses = variablesOf(x);
      // a condition that reads only this event is simple; one that reads others (other variables, aggregates, navigation) is iterative
      (uses.every((v) => v === variable) && !findAggregate(x) && !hasNavigation(x) ? local : reading).push(this.expr(x));
    }
    // one environment each, re-pointed at every evaluation: conditions run for every event
    let cur: StandardEvent | undefined;
    let runCtx: ConditionContext<StandardEvent> | undefined;
    const localEnv: Env<StandardEvent> = { current: () => cur, events: () => (cur === undefined ? [] : [cur]) };
    // other variables are read from the partial match: their last event, or all of them in aggregates
    const iterativeEnv: Env<StandardEvent> = {
      current: (v) => (v === variable ? cur : last(runCtx!.getEventsForPattern(v))),
      events: (v) => (v === variable ? [...runCtx!.getEventsForPattern(v), cur!] : [...runCtx!.getEventsForPattern(v)]),
    };
    const parts: ConditionNode<StandardEvent>[] = [codeOk, ...data];
    if (local.length > 0) {
      parts.push(
        simple((e: StandardEvent) => {
          cur = e;
          for (const f of local) if (f(localEnv) !== true) return false;
          return true;
        }),
      );
    }
    if (reading.length > 0) {
      parts.push(
        iterative((e: StandardEvent, ctx: ConditionContext<StandardEvent>) => {
          cur = e;
          runCtx = ctx;
          for (const f of reading) if (f(iterativeEnv) !== true) return false;
          return true;
        }),
      );
    }
    return and(...parts);
  }

  /** The sequence's own mistakes, in its terms (the pattern API would report them in its own). */
  private checkSequence(items: SeqItem[], top: boolean): void {
    for (const { node } of items) {
      const q = node.quantifier;
      const at = q?.at !== undefined && q.len ? { at: q.at, len: q.len } : node;
      if (q?.kind === 'times' && q.from === 0 && q.to === 0) throw this.fail('{0} takes no event', at, 'repeat at least once ({1}, {2,}), or write ? for "zero or one"');
      if (q?.kind === 'times' && q.to !== null && q.to < q.from) throw this.fail(`{${q.from},${q.to}} has its upper bound below its lower bound`, at, `write {${q.to},${q.from}}`);
      if (node.kind === 'group') this.checkSequence(node.items, false);
    }
    if (top) {
      items.forEach(({ node }, i) => {
        const next = items[i + 1]?.node;
        const nextOptional = next?.quantifier?.kind === 'optional' || next?.quantifier?.kind === 'zeroOrMore';
        if (node.kind === 'step' && nextOptional && isGreedy(node.quantifier, false))
          throw this.fail(
            `a greedy repetition cannot be followed by an optional element (Flink cannot compile it)`,
            node.quantifier?.at !== undefined && node.quantifier.len ? { at: node.quantifier.at, len: node.quantifier.len } : node,
            `make this one reluctant (${node.variable}${quantifierText(node.quantifier!)}?) or the next one required`,
          );
      });
    }
    const last = items[items.length - 1];
    if (top && last.node.kind === 'step' && last.node.negated && last.link === 'followedBy' && !this.rule.within)
      throw this.fail(
        `the rule ends with '-> !${last.node.variable}', "no ${last.node.variable} afterwards", which can only be known when a window closes`,
        last.node,
        'add WITHIN (the rule fires when the window closes without a ' + last.node.variable + '), or end with a positive variable',
      );
  }

  private buildPattern(sequence: SeqItem[]): { pattern: Pattern<StandardEvent>; text: string } {
    const r = this.rule;
    const skip = this.skipStrategy();
    try {
      const build = (items: SeqItem[], top: boolean): { p: Pattern<StandardEvent>; text: string } => {
        let p: Pattern<StandardEvent> | undefined;
        let text = '';
        items.forEach(({ link, node }, i) => {
          if (node.kind === 'permute') throw new Error('PERMUTE is expanded before patterns are built');
          if (node.kind === 'group') {
            const inner = build(node.items, false);
            p = p === undefined ? (top ? Pattern.begin(inner.p, skip) : Pattern.begin(inner.p)) : p[link === 'begin' ? 'next' : link](inner.p);
            text += p === undefined || text === '' ? `Pattern.begin(${inner.text})` : `.${link}(${inner.text})`;
          } else if (node.negated) {
            if (p === undefined) throw this.fail('a sequence cannot start with a negated variable', node, 'negation means "not between": a -> !b -> c');
            if (link === 'followedByAny') throw this.fail("'->>' cannot be followed by a negated variable", node, "use '->' (notFollowedBy) or ',' (notNext)");
            p = link === 'next' ? p.notNext(node.variable) : p.notFollowedBy(node.variable);
            p.where(this.conditionFor(node.variable));
            text += `.${link === 'next' ? 'notNext' : 'notFollowedBy'}('${node.variable}')`;
          } else {
            p =
              p === undefined
                ? top
                  ? Pattern.begin<StandardEvent>(node.variable, skip)
                  : Pattern.begin<StandardEvent>(node.variable)
                : p[link === 'begin' ? 'next' : link](node.variable);
            p.where(this.conditionFor(node.variable));
            text += text === '' ? `Pattern.begin('${node.variable}'${top ? `, ${this.skipText()}` : ''})` : `.${link}('${node.variable}')`;
            text += `.where(${this.conditionText(node.variable)})`;
          }
          text += applyQuantifier(p!, node.quantifier, top && node.kind === 'step' && isGreedy(node.quantifier, i === items.length - 1));
        });
        return { p: p!, text };
      };
      const { p, text } = build(sequence, true);
      let full = text;
      if (r.within) {
        p.within(r.within.ms);
        full += `.within(${r.within.ms})`;
      }
      compilePattern(p); // the NFA compiler's checks (e.g. a trailing !x needs WITHIN) belong to `check` too
      return { pattern: p, text: full };
    } catch (e) {
      if (e instanceof MalformedPatternError)
        throw this.fail(`this EVENT sequence cannot be compiled (${e.message})`, { at: r.eventAt, len: 5 }, 'see the EVENT sequence mapping in docs/rules.md');
      throw e;
    }
  }

  private conditionText(variable: string): string {
    const codes = this.rule.variables.get(variable)!.codes;
    const exprs = this.conditions.get(variable) ?? [];
    const data = exprs.map((x) => dataCondition(x, variable)).filter((c) => c !== undefined);
    const n = exprs.length - data.length;
    const parts = [codes.includes(ANY) ? 'any event' : `event_code in [${codes.join(', ')}]`, ...data.map(describeCondition)];
    return `${parts.join(' and ')}${n ? ` and ${n} ${data.length ? 'more ' : ''}WHERE condition${n > 1 ? 's' : ''}` : ''}`;
  }

  private skipStrategy(): AfterMatchSkipStrategy {
    const s = this.rule.skip;
    if (!s || s.kind === 'pastLastEvent') return AfterMatchSkipStrategy.skipPastLastEvent();
    if (s.kind === 'toNext') return AfterMatchSkipStrategy.skipToNext();
    if (s.kind === 'noSkip') return AfterMatchSkipStrategy.noSkip();
    if (!this.order.includes(s.variable)) throw this.fail(`unknown variable '${s.variable}'`, s, `skip to one of ${this.order.join(', ')}`);
    return s.kind === 'toFirst' ? AfterMatchSkipStrategy.skipToFirst(s.variable) : AfterMatchSkipStrategy.skipToLast(s.variable);
  }

  private skipText(): string {
    const s = this.rule.skip;
    if (!s || s.kind === 'pastLastEvent') return 'skipPastLastEvent()';
    if (s.kind === 'toNext') return 'skipToNext()';
    if (s.kind === 'noSkip') return 'noSkip()';
    return `${s.kind === 'toFirst' ? 'skipToFirst' : 'skipToLast'}('${s.variable}')`;
  }

  /** PARTITION BY or SAME; else equalities in WHERE that connect every variable; else user_id. */
  private partitionKey(): { key: (e: StandardEvent) => PartitionKey | undefined; keyDescription: string; keyCanBeMissing: boolean } {
    const r = this.rule;
    const explicit = r.partitionBy ?? (r.repeat && r.repeat.same.length > 0 ? r.repeat.same : undefined);
    if (explicit) {
      const paths = explicit.map((x) => {
        if (findAggregate(x)) throw this.fail('an aggregate cannot be a partition key', x);
        if (x.kind !== 'field') throw this.fail('a partition key must be a field such as e1.user_id', x);
        this.checkVariables(x);
        return x.path;
      });
      const onlyUser = paths.every((p) => p.length === 1 && p[0] === 'user_id');
      return { key: keyOf(paths), keyDescription: `${paths.map((p) => p.join('.')).join(', ')} (${r.partitionBy ? 'PARTITION BY' : 'SAME'})`, keyCanBeMissing: !onlyUser };
    }
    const inferred = this.inferKey();
    if (inferred) return { key: keyOf([inferred]), keyDescription: `${inferred.join('.')} (inferred from WHERE equalities joining every variable)`, keyCanBeMissing: true };
    // every standard event has a user_id
    return { key: keyOf([['user_id']]), keyDescription: 'user_id (default)', keyCanBeMissing: false };
  }

  private inferKey(): string[] | undefined {
    if (!this.rule.where || this.order.length < 2) return undefined;
    const byPath = new Map<string, [string, string][]>();
    for (const c of conjuncts(this.rule.where)) {
      if (c.kind === 'binary' && c.op === '=' && c.left.kind === 'field' && c.right.kind === 'field' && c.left.variable !== c.right.variable) {
        const a = c.left.path.join('.');
        if (a !== c.right.path.join('.')) continue;
        if (!byPath.has(a)) byPath.set(a, []);
        byPath.get(a)!.push([c.left.variable, c.right.variable]);
      }
    }
    for (const [path, edges] of byPath) {
      const reached = new Set([this.order[0]]);
      for (let changed = true; changed; ) {
        changed = false;
        for (const [a, b] of edges) {
          if (reached.has(a) !== reached.has(b)) {
            reached.add(a);
            reached.add(b);
            changed = true;
          }
        }
      }
      if (this.order.every((v) => reached.has(v))) return path.split('.');
    }
    return undefined;
  }

  private repeatSpec(): RepeatSpec {
    const r = this.rule;
    const rep = r.repeat!;
    const seq = this.sequence;
    if (this.alternatives.length > 1) throw this.fail('REPEAT applies to a single variable, not PERMUTE', rep);
    if (seq.length !== 1 || seq[0].node.kind !== 'step' || seq[0].node.negated || seq[0].node.quantifier) {
      throw this.fail('REPEAT applies to a single variable', rep, 'write EVENT e1 and REPEAT n+ ...; use quantifiers (e1{3}) for sequences');
    }
    if (!r.within) throw this.fail('REPEAT needs a WITHIN window', rep, 'e.g. WITHIN 10 MINUTE');
    if (rep.max !== null && rep.max < rep.min) throw this.fail(`REPEAT ${rep.min}..${rep.max}: the maximum is below the minimum`, rep);
    const variable = seq[0].node.variable;
    const node = this.conditionFor(variable);
    const cond: Condition<StandardEvent> = conditionTest(node);
    const acceptsByCode = node.kind === 'true' || ((node.kind === 'compare' || node.kind === 'in') && node.field === 'event_code');
    const noCtx: ConditionContext<StandardEvent> = { getEventsForPattern: () => [], timestamp: () => 0, currentProcessingTime: () => 0 };
    let having: RepeatSpec['having'] = () => true;
    let havingOver: RepeatSpec['havingOver'] = () => true;
    let aggregates: RepeatSpec['aggregates'] = windowAggregates([], () => undefined);
    if (rep.having) {
      this.checkVariables(rep.having);
      const calls = aggregateCalls(rep.having);
      const h = this.expr(rep.having, calls);
      const recompute = calls.map((c) => this.expr(c));
      aggregates = windowAggregates(calls, (i, events) => recompute[i]({ current: () => events[events.length - 1], events: () => events }));
      // one environment re-pointed at each check: HAVING runs for every event of a REPEAT rule
      let last: StandardEvent | undefined;
      let events: () => readonly StandardEvent[] = () => [];
      let aggs: WindowAggregates<StandardEvent> | undefined;
      const env: Env<StandardEvent> = { current: () => last, events: () => events(), aggregate: (i) => aggs!.value(i, events) };
      having = (l, evs, a) => {
        last = l;
        events = evs;
        aggs = a;
        return h(env) === true;
      };
      const plain = this.expr(rep.having);
      havingOver = (evs) => plain({ current: () => evs[evs.length - 1], events: () => evs }) === true;
    }
    return { variable, min: rep.min, max: rep.max, withinMs: r.within.ms, accepts: (e) => cond(e, noCtx), acceptsByCode, aggregates, having, havingOver };
  }

  private repeatText(): string {
    const rep = this.rule.repeat!;
    return `windowed aggregation: per key, the events of '${this.order[0]}' in the last ${this.rule.within!.ms} ms; fires when there are ${rep.min}${rep.max === null ? ' or more' : `..${rep.max}`}${rep.having ? ' and HAVING holds' : ''}, then the window restarts`;
  }
}

/**
 * The NFA formulation of a REPEAT n+ rule, over events already filtered by its WHERE: n-1 or more
 * events, then the event at which HAVING holds over all of them, skipping past the match, within
 * the window. For HAVING conditions that can only become true as the window grows (COUNT, DISTINCT,
 * SUM of non-negative values, compared with > or >=) it matches exactly what the windowed
 * aggregation fires on; a differential property test checks that. Matches name the events
 * 'v' (all but the last) and 'last'.
 */
export function repeatAsPattern(spec: RepeatSpec): Pattern<StandardEvent> {
  const lastCondition: Condition<StandardEvent> = (e, ctx) => spec.havingOver([...ctx.getEventsForPattern('v'), e]);
  const skip = AfterMatchSkipStrategy.skipPastLastEvent();
  const p =
    spec.min === 1
      ? Pattern.begin<StandardEvent>('v', skip).oneOrMore().consecutive().optional().next('last').where(lastCondition)
      : Pattern.begin<StandardEvent>('v', skip)
          .timesOrMore(spec.min - 1)
          .consecutive()
          .next('last')
          .where(lastCondition);
  return p.within(spec.withinMs);
}

function isRepeating(q: Quantifier | undefined): boolean {
  return q !== undefined && (q.kind === 'oneOrMore' || q.kind === 'zeroOrMore' || (q.kind === 'times' && (q.to === null || q.to > 1)));
}

/**
 * Whether a quantifier compiles greedy (Flink's `greedy()`): a repetition with a range (`+`, `*`,
 * `{n,}`, `{n,m}`) that is not reluctant and not last (at the end, as Flink's MATCH_RECOGNIZE
 * requires, a repetition is reluctant: a greedy one could not know it is done before the next event).
 */
function isGreedy(q: Quantifier | undefined, last: boolean): boolean {
  return q !== undefined && !q.reluctant && !last && (q.kind === 'oneOrMore' || q.kind === 'zeroOrMore' || (q.kind === 'times' && q.to !== q.from));
}

function applyQuantifier(p: Pattern<StandardEvent>, q: Quantifier | undefined, greedy: boolean): string {
  const text = quantify(p, q);
  if (!greedy) return text;
  p.greedy();
  return `${text}.greedy()`;
}

function quantify(p: Pattern<StandardEvent>, q: Quantifier | undefined): string {
  if (!q) return '';
  switch (q.kind) {
    case 'oneOrMore':
      p.oneOrMore();
      return '.oneOrMore()';
    case 'zeroOrMore':
      p.oneOrMore().optional();
      return '.oneOrMore().optional()';
    case 'optional':
      p.optional();
      return '.optional()';
    case 'times':
      if (q.to === null) {
        p.timesOrMore(q.from);
        return `.timesOrMore(${q.from})`;
      }
      if (q.to === q.from) {
        p.times(q.from);
        return `.times(${q.from})`;
      }
      p.times(q.from, q.to);
      return `.times(${q.from}, ${q.to})`;
  }
}

/** The sequence variables in EVENT order. */
export function sequenceVariables(items: SeqItem[], out: string[] = []): string[] {
  for (const { node } of items) {
    if (node.kind === 'group') sequenceVariables(node.items, out);
    else if (node.kind === 'permute') out.push(...node.variables.map((v) => v.variable));
    else out.push(node.variable);
  }
  return out;
}

/** WHERE split at top-level ANDs, each part given to the last variable (in EVENT order) it mentions. */
export function conditionsByVariable(rule: RuleAst, order = sequenceVariables(rule.sequence)): Map<string, Expr[]> {
  const byVariable = new Map<string, Expr[]>();
  if (!rule.where) return byVariable;
  for (const c of conjuncts(rule.where)) {
    const vars = variablesOf(c);
    const target = vars.length === 0 ? order[0] : (order.filter((v) => vars.includes(v)).pop() ?? order[0]);
    if (!byVariable.has(target)) byVariable.set(target, []);
    byVariable.get(target)!.push(c);
  }
  return byVariable;
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

/**
 * A conjunct of a variable's WHERE as a condition as data, when it is one: a field of the variable
 * equal to a string, or in a list of strings, that equal only themselves (see equalsOnlyItself:
 * then the rule's `=` is identity, as the data's `==`). Else undefined.
 */
function dataCondition(x: Expr, variable: string): ConditionNode<StandardEvent> | undefined {
  const pathOf = (y: Expr) => (y.kind === 'field' && y.variable === variable ? y.path : undefined);
  if (x.kind === 'binary' && x.op === '=') {
    const [f, lit] = pathOf(x.left) !== undefined ? [x.left, x.right] : [x.right, x.left];
    const path = pathOf(f);
    if (path !== undefined && lit.kind === 'literal' && equalsOnlyItself(lit.value)) return field<StandardEvent>(path).eq(lit.value);
  }
  if (x.kind === 'in' && !x.negated) {
    const path = pathOf(x.arg);
    const values = x.list.map((l) => (l.kind === 'literal' && equalsOnlyItself(l.value) ? l.value : undefined));
    if (path !== undefined && values.length > 0 && values.every((v) => v !== undefined)) return field<StandardEvent>(path).in(values as string[]);
  }
  return undefined;
}

/** A partition key: the key's text, or the number it canonically spells (so "7" and 7 are one key). */
export type PartitionKey = string | number;

/** The key of an event, undefined when a key field is missing or null (the event has no partition). */
function keyOf(paths: string[][]): (e: StandardEvent) => PartitionKey | undefined {
  if (paths.length === 1) {
    const read = pathReader(paths[0]);
    return (e) => {
      const v = read(e);
      return v === undefined || v === null ? undefined : canonicalKey(v);
    };
  }
  // several fields: the JSON array of their parts, which no two different tuples share
  const reads = paths.map(pathReader);
  return (e) => {
    const parts: PartitionKey[] = [];
    for (const read of reads) {
      const v = read(e);
      if (v === undefined || v === null) return undefined;
      parts.push(canonicalKey(v));
    }
    return JSON.stringify(parts);
  };
}

/** Text keys that spell a small non-negative integer ("0", "42", not "042") become that number. */
function canonicalKey(v: unknown): PartitionKey {
  if (typeof v === 'number' && v >>> 0 === v && v < 0x80000000) return v;
  // objects and arrays by their JSON text, so that two different ones do not share "[object Object]"
  const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  const n = s.length;
  if (n === 0 || n > 10 || (n > 1 && s.charCodeAt(0) === 48)) return s;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return s;
  }
  const x = Number(s);
  return x < 0x80000000 ? x : s;
}
