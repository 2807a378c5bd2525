/**
 * Rules as data: a versioned JSON form of compiled rules that a server can hand to a browser, which
 * loads it without the parser. Its shape follows the JSON rule format of Alibaba Cloud's dynamic
 * Flink CEP (nodes with a quantifier and a condition, edges typed by contiguity, a window, an
 * afterMatchStrategy); the condition type is "CEPHEUS_EXPR", an expression tree of this language.
 * See docs/rules.md for what is supported.
 */
import { AGGREGATES, NAVIGATIONS, SCALARS, type Expr, type Quantifier, type RuleAst, type SeqItem, type SeqNode } from './ast.js';
import { compileAsts, conditionsByVariable, type CompiledRule, type CompileOptions } from './compile.js';
import { SourceText } from './errors.js';

export type ConsumingStrategy = 'STRICT' | 'SKIP_TILL_NEXT' | 'SKIP_TILL_ANY' | 'NOT_NEXT' | 'NOT_FOLLOW';

export interface QuantifierJson {
  consumingStrategy: ConsumingStrategy;
  properties: ('SINGLE' | 'LOOPING' | 'TIMES' | 'OPTIONAL' | 'GREEDY')[];
  times: { from: number; to: number | null } | null;
  untilCondition: null;
}

export type NodeJson =
  | { name: string; type: 'ATOMIC'; quantifier: QuantifierJson; condition: { type: 'CEPHEUS_EXPR'; eventCodes: string[]; expression: unknown } }
  | { name: string; type: 'COMPOSITE'; quantifier: QuantifierJson; nodes: NodeJson[]; edges: EdgeJson[] }
  /** PERMUTE: its variables (ATOMIC nodes) in any order, each after the one before with relaxed contiguity. */
  | { name: string; type: 'PERMUTE'; quantifier: QuantifierJson; nodes: NodeJson[] };

export interface EdgeJson {
  source: string;
  target: string;
  type: ConsumingStrategy;
}

export interface RuleJson {
  name: string;
  type: 'COMPOSITE';
  nodes: NodeJson[];
  edges: EdgeJson[];
  window: { type: 'FIRST_AND_LAST'; time: { unit: 'MILLISECONDS'; size: number } } | null;
  afterMatchStrategy: { type: 'NO_SKIP' | 'SKIP_TO_NEXT' | 'SKIP_PAST_LAST_EVENT' | 'SKIP_TO_FIRST' | 'SKIP_TO_LAST'; patternName: string | null };
  partitionBy: unknown[] | null;
  /** INPUT: the event codes the rule reads (absent: those its variables declare). */
  input?: string[];
  repeat: { min: number; max: number | null; same: unknown[]; having: unknown } | null;
  returns: { name: string; expression: unknown }[];
}

export interface RulesDocument {
  format: 'cepheus-rules';
  version: 1;
  rules: RuleJson[];
}

const LINKS: Record<string, ConsumingStrategy> = { begin: 'STRICT', next: 'STRICT', followedBy: 'SKIP_TILL_NEXT', followedByAny: 'SKIP_TILL_ANY' };

/** The JSON form of parsed rules (parseRules' output). */
export function rulesToJson(rules: RuleAst[]): RulesDocument {
  return { format: 'cepheus-rules', version: 1, rules: rules.map(ruleToJson) };
}

function ruleToJson(r: RuleAst): RuleJson {
  const conditions = conditionsByVariable(r);
  let groups = 0;
  const graph = (items: SeqItem[]): { nodes: NodeJson[]; edges: EdgeJson[] } => {
    const nodes: NodeJson[] = [];
    const edges: EdgeJson[] = [];
    items.forEach(({ link, node }, i) => {
      const strategy: ConsumingStrategy = node.kind === 'step' && node.negated ? (link === 'next' ? 'NOT_NEXT' : 'NOT_FOLLOW') : LINKS[link];
      const quantifier = quantifierJson(strategy, node.quantifier);
      const atomic = (variable: string, q: QuantifierJson): NodeJson => {
        const exprs = conditions.get(variable) ?? [];
        const expression = exprs.length === 0 ? null : stripPositions(exprs.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, at: 0, len: 0 })));
        return { name: variable, type: 'ATOMIC', quantifier: q, condition: { type: 'CEPHEUS_EXPR', eventCodes: r.variables.get(variable)!.codes, expression } };
      };
      let json: NodeJson;
      if (node.kind === 'group') {
        json = { name: `group_${++groups}`, type: 'COMPOSITE', quantifier, ...graph(node.items) };
      } else if (node.kind === 'permute') {
        json = { name: `permute_${++groups}`, type: 'PERMUTE', quantifier, nodes: node.variables.map((v) => atomic(v.variable, quantifierJson('SKIP_TILL_NEXT', undefined))) };
      } else json = atomic(node.variable, quantifier);
      if (i > 0) edges.push({ source: nodes[i - 1].name, target: json.name, type: strategy });
      nodes.push(json);
    });
    return { nodes, edges };
  };
  const skip = r.skip ?? { kind: 'pastLastEvent' as const };
  const skipType = { pastLastEvent: 'SKIP_PAST_LAST_EVENT', toNext: 'SKIP_TO_NEXT', noSkip: 'NO_SKIP', toFirst: 'SKIP_TO_FIRST', toLast: 'SKIP_TO_LAST' } as const;
  return {
    name: r.name,
    type: 'COMPOSITE',
    ...graph(r.sequence),
    window: r.within ? { type: 'FIRST_AND_LAST', time: { unit: 'MILLISECONDS', size: r.within.ms } } : null,
    afterMatchStrategy: { type: skipType[skip.kind], patternName: skip.kind === 'toFirst' || skip.kind === 'toLast' ? skip.variable : null },
    partitionBy: r.partitionBy ? r.partitionBy.map(stripPositions) : null,
    ...(r.input ? { input: [...r.input.codes] } : {}),
    repeat: r.repeat ? { min: r.repeat.min, max: r.repeat.max, same: r.repeat.same.map(stripPositions), having: r.repeat.having ? stripPositions(r.repeat.having) : null } : null,
    returns: r.returns.map((f) => ({ name: f.alias, expression: stripPositions(f.expr) })),
  };
}

/** A quantifier's JSON: Flink's, with GREEDY on repetitions that are not reluctant (documents without it read as reluctant). */
function quantifierJson(strategy: ConsumingStrategy, q: Quantifier | undefined): QuantifierJson {
  const json = plainQuantifierJson(strategy, q);
  const range = q !== undefined && (q.kind === 'oneOrMore' || q.kind === 'zeroOrMore' || (q.kind === 'times' && q.to !== q.from));
  return range && !q.reluctant ? { ...json, properties: [...json.properties, 'GREEDY'] } : json;
}

function plainQuantifierJson(strategy: ConsumingStrategy, q: Quantifier | undefined): QuantifierJson {
  const base = { consumingStrategy: strategy, untilCondition: null } as const;
  if (!q) return { ...base, properties: ['SINGLE'], times: null };
  switch (q.kind) {
    case 'oneOrMore':
      return { ...base, properties: ['LOOPING'], times: { from: 1, to: null } };
    case 'zeroOrMore':
      return { ...base, properties: ['LOOPING', 'OPTIONAL'], times: { from: 1, to: null } };
    case 'optional':
      return { ...base, properties: ['SINGLE', 'OPTIONAL'], times: null };
    case 'times':
      return { ...base, properties: [q.to === null ? 'LOOPING' : 'TIMES'], times: { from: q.from, to: q.to } };
  }
}

/**
 * Loads and compiles rules from their JSON form (a RulesDocument, parsed or as text). Throws
 * RuleJsonError for a document of the wrong shape (or text that is not JSON), RuleError for rules
 * that do not compile.
 */
export function loadRulesJson(doc: unknown, file = 'rules.json', options: CompileOptions = {}): CompiledRule[] {
  let parsed = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc);
    } catch (e) {
      throw new RuleJsonError(`not JSON: ${(e as Error).message}`);
    }
  }
  const asts = rulesFromJson(parsed);
  return compileAsts(asts, new SourceText('<rules loaded from JSON>', file), options);
}

/** A rules document that does not have the documented shape; the message starts with the path at fault. */
export class RuleJsonError extends Error {
  override name = 'RuleJsonError';
}

type Fail = (where: string, what: string) => RuleJsonError;
type Json = Record<string, unknown>;

/** The checks of one document, each naming the path it reads (`rules[2].repeat.min`). */
function reader(fail: Fail) {
  const object = (x: unknown, at: string): Json => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw fail(at, `expected an object, got ${describe(x)}`);
    return x as Json;
  };
  const array = (x: unknown, at: string, nonEmpty = false): unknown[] => {
    if (!Array.isArray(x)) throw fail(at, `expected an array, got ${describe(x)}`);
    if (nonEmpty && x.length === 0) throw fail(at, 'expected a non-empty array');
    return x;
  };
  const string = (x: unknown, at: string, nonEmpty = true): string => {
    if (typeof x !== 'string' || (nonEmpty && x === '')) throw fail(at, `expected a ${nonEmpty ? 'non-empty ' : ''}string, got ${describe(x)}`);
    return x;
  };
  const integer = (x: unknown, at: string, min: number): number => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) throw fail(at, `expected an integer >= ${min}, got ${describe(x)}`);
    return x;
  };
  const oneOf = <T extends string>(x: unknown, at: string, values: readonly T[]): T => {
    if (!values.includes(x as T)) throw fail(at, `expected one of ${values.map((v) => `"${v}"`).join(', ')}, got ${describe(x)}`);
    return x as T;
  };
  return { object, array, string, integer, oneOf };
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (Array.isArray(x)) return 'an array';
  if (x === null) return 'null';
  return typeof x === 'string' ? JSON.stringify(x.length > 40 ? x.slice(0, 40) + '...' : x) : typeof x === 'object' ? 'an object' : String(x);
}

const STRATEGIES = ['STRICT', 'SKIP_TILL_NEXT', 'SKIP_TILL_ANY', 'NOT_NEXT', 'NOT_FOLLOW'] as const;
const PROPERTIES = ['SINGLE', 'LOOPING', 'TIMES', 'OPTIONAL', 'GREEDY'] as const;
const SKIPS = { SKIP_PAST_LAST_EVENT: 'pastLastEvent', SKIP_TO_NEXT: 'toNext', NO_SKIP: 'noSkip', SKIP_TO_FIRST: 'toFirst', SKIP_TO_LAST: 'toLast' } as const;

/**
 * Rebuilds parsed rules from the JSON form, checking every part of its shape (the input may come
 * from anywhere): anything else is a RuleJsonError naming the path at fault.
 */
export function rulesFromJson(doc: unknown): RuleAst[] {
  const { object, array } = reader((where, what) => new RuleJsonError(`${where}: ${what}`));
  const d = object(doc, 'document');
  if (d.format !== 'cepheus-rules') throw new RuleJsonError('not a Cepheus rules document (format must be "cepheus-rules")');
  if (d.version !== 1) throw new RuleJsonError(`unsupported rules document version ${describe(d.version)} (this build reads version 1)`);
  return array(d.rules, 'rules').map((r, i) => ruleFromJson(r, `rules[${i}]`));
}

function ruleFromJson(x: unknown, path: string): RuleAst {
  const fail: Fail = (where, what) => new RuleJsonError(`${path}${where}: ${what}`);
  const { object, array, string, integer, oneOf } = reader(fail);
  const r = object(x, '');
  const variables: RuleAst['variables'] = new Map();
  const where: Expr[] = [];
  /** The nodes as a sequence, joined by their edges (`chained`), or, for PERMUTE's, without edges. */
  const sequence = (nodesJson: unknown, edgesJson: unknown, at: string, chained = true): SeqItem[] => {
    const nodes = array(nodesJson, at + '.nodes', true).map((n, i) => object(n, `${at}.nodes[${i}]`));
    const edges = chained ? array(edgesJson, at + '.edges').map((e, i) => object(e, `${at}.edges[${i}]`)) : [];
    if (chained && edges.length !== nodes.length - 1) throw fail(at + '.edges', `expected ${nodes.length - 1} edges chaining the nodes in order, got ${edges.length}`);
    return nodes.map((n, i) => {
      const np = `${at}.nodes[${i}]`;
      const name = string(n.name, np + '.name');
      let incoming: ConsumingStrategy = 'STRICT';
      if (i > 0 && chained) {
        const edge = edges[i - 1];
        const ep = `${at}.edges[${i - 1}]`;
        if (edge.source !== nodes[i - 1].name || edge.target !== name) throw fail(ep, `expected an edge from '${String(nodes[i - 1].name)}' to '${name}'`);
        incoming = oneOf(edge.type, ep + '.type', STRATEGIES);
      }
      const link = i === 0 ? 'begin' : incoming === 'STRICT' || incoming === 'NOT_NEXT' ? 'next' : incoming === 'SKIP_TILL_ANY' ? 'followedByAny' : 'followedBy';
      const quantifier = quantifierFromJson(n.quantifier, np + '.quantifier', fail);
      let node: SeqNode;
      const type = oneOf(n.type, np + '.type', ['ATOMIC', 'COMPOSITE', 'PERMUTE'] as const);
      if (type === 'COMPOSITE') {
        node = { kind: 'group', items: sequence(n.nodes, n.edges, np), at: 0, len: 0 };
      } else if (type === 'PERMUTE') {
        // its variables, read as single steps without edges between them
        const inner = sequence(n.nodes, undefined, np, false);
        const variables = inner.map((it, j) => {
          if (it.node.kind !== 'step' || it.node.negated || it.node.quantifier) throw fail(`${np}.nodes[${j}]`, 'a PERMUTE node holds single variables');
          return { variable: it.node.variable, at: 0, len: 0 };
        });
        node = { kind: 'permute', variables, at: 0, len: 0 };
      } else {
        const c = object(n.condition, np + '.condition');
        oneOf(c.type, np + '.condition.type', ['CEPHEUS_EXPR'] as const);
        const codes = array(c.eventCodes, np + '.condition.eventCodes', true).map((code, j) => string(code, `${np}.condition.eventCodes[${j}]`));
        if (variables.has(name)) throw fail(np + '.name', `variable '${name}' appears twice`);
        variables.set(name, { codes, at: 0, len: 0 });
        if (c.expression !== null && c.expression !== undefined) where.push(exprFromJson(c.expression, np + '.condition.expression', fail));
        node = { kind: 'step', variable: name, negated: incoming === 'NOT_NEXT' || incoming === 'NOT_FOLLOW', at: 0, len: 0 };
      }
      if (quantifier) node.quantifier = quantifier;
      return { link, node } as SeqItem;
    });
  };
  const rule: RuleAst = { name: string(r.name, '.name'), at: 0, len: 1, variables, sequence: sequence(r.nodes, r.edges, ''), eventAt: 0, returns: [] };
  if (where.length > 0) rule.where = where.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, at: 0, len: 0 }));
  if (r.window !== null && r.window !== undefined) {
    const w = object(r.window, '.window');
    oneOf(w.type, '.window.type', ['FIRST_AND_LAST'] as const);
    const time = object(w.time, '.window.time');
    oneOf(time.unit, '.window.time.unit', ['MILLISECONDS'] as const);
    rule.within = { ms: integer(time.size, '.window.time.size', 1), at: 0, len: 0 };
  }
  if (r.afterMatchStrategy === null || r.afterMatchStrategy === undefined) rule.skip = { kind: 'pastLastEvent' };
  else {
    const s = object(r.afterMatchStrategy, '.afterMatchStrategy');
    const kind = SKIPS[oneOf(s.type, '.afterMatchStrategy.type', Object.keys(SKIPS) as (keyof typeof SKIPS)[])];
    rule.skip = kind === 'toFirst' || kind === 'toLast' ? { kind, variable: string(s.patternName, '.afterMatchStrategy.patternName'), at: 0, len: 0 } : { kind };
  }
  if (r.partitionBy !== null && r.partitionBy !== undefined)
    rule.partitionBy = array(r.partitionBy, '.partitionBy', true).map((p, i) => exprFromJson(p, `.partitionBy[${i}]`, fail));
  if (r.input !== null && r.input !== undefined) rule.input = { codes: array(r.input, '.input', true).map((code, j) => string(code, `.input[${j}]`)), at: 0, len: 0 };
  if (r.repeat !== null && r.repeat !== undefined) {
    const rep = object(r.repeat, '.repeat');
    const min = integer(rep.min, '.repeat.min', 1);
    rule.repeat = {
      min,
      max: rep.max === null || rep.max === undefined ? null : integer(rep.max, '.repeat.max', min),
      same: (rep.same === undefined ? [] : array(rep.same, '.repeat.same')).map((p, i) => exprFromJson(p, `.repeat.same[${i}]`, fail)),
      having: rep.having === null || rep.having === undefined ? undefined : exprFromJson(rep.having, '.repeat.having', fail),
      at: 0,
      len: 0,
    };
  }
  const returns = r.returns === undefined ? [] : array(r.returns, '.returns');
  rule.returns = returns.map((f, i) => {
    const ret = object(f, `.returns[${i}]`);
    return { alias: string(ret.name, `.returns[${i}].name`), expr: exprFromJson(ret.expression, `.returns[${i}].expression`, fail), at: 0, len: 0 };
  });
  return rule;
}

function quantifierFromJson(x: unknown, at: string, fail: Fail): Quantifier | undefined {
  const { object, array, integer, oneOf } = reader(fail);
  const q = object(x, at);
  oneOf(q.consumingStrategy, at + '.consumingStrategy', STRATEGIES);
  const props = array(q.properties, at + '.properties', true).map((p, i) => oneOf(p, `${at}.properties[${i}]`, PROPERTIES));
  const optional = props.includes('OPTIONAL');
  const reluctant = !props.includes('GREEDY');
  const times = q.times === null || q.times === undefined ? null : object(q.times, at + '.times');
  if (props.includes('LOOPING')) {
    const from = times === null ? 1 : integer(times.from, at + '.times.from', 1);
    if (optional) return { kind: 'zeroOrMore', reluctant };
    return from === 1 ? { kind: 'oneOrMore', reluctant } : { kind: 'times', from, to: null, reluctant };
  }
  if (props.includes('TIMES')) {
    if (times === null) throw fail(at + '.times', 'expected {from, to} for a TIMES quantifier');
    const from = integer(times.from, at + '.times.from', 1);
    const to = times.to === null ? null : integer(times.to, at + '.times.to', from);
    return from === to ? { kind: 'times', from, to } : { kind: 'times', from, to, reluctant };
  }
  return optional ? { kind: 'optional' } : undefined;
}

/** Expressions travel without source positions. */
function stripPositions(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === 'at' || k === 'len' ? undefined : v)));
}

const BINARY = new Set(['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'AND', 'OR']);

/** Checks an expression tree from JSON node by node, so that only known node kinds reach the compiler. */
function exprFromJson(x: unknown, at: string, fail: Fail): Expr {
  const e = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const sub = (v: unknown, p: string) => exprFromJson(v, at + p, fail);
  const pos = { at: 0, len: 0 };
  switch (e.kind) {
    case 'literal':
      if (!(e.value === null || ['string', 'number', 'boolean'].includes(typeof e.value))) break;
      return { kind: 'literal', value: e.value as string | number | boolean | null, ...pos };
    case 'field':
      if (typeof e.variable !== 'string' || !Array.isArray(e.path) || !e.path.every((p) => typeof p === 'string')) break;
      return { kind: 'field', variable: e.variable, path: e.path as string[], ...pos };
    case 'variable':
      if (typeof e.variable !== 'string') break;
      return { kind: 'variable', variable: e.variable, ...pos };
    case 'unary':
      if (e.op !== '-' && e.op !== 'NOT') break;
      return { kind: 'unary', op: e.op, arg: sub(e.arg, '.arg'), ...pos };
    case 'binary':
      if (!BINARY.has(e.op as string)) break;
      return { kind: 'binary', op: e.op as never, left: sub(e.left, '.left'), right: sub(e.right, '.right'), ...pos };
    case 'in':
      if (!Array.isArray(e.list)) break;
      return { kind: 'in', arg: sub(e.arg, '.arg'), list: e.list.map((y, i) => sub(y, `.list[${i}]`)), negated: e.negated === true, ...pos };
    case 'like':
      return { kind: 'like', arg: sub(e.arg, '.arg'), pattern: sub(e.pattern, '.pattern'), negated: e.negated === true, ...pos };
    case 'isNull':
      return { kind: 'isNull', arg: sub(e.arg, '.arg'), negated: e.negated === true, ...pos };
    case 'call':
      if (!(AGGREGATES as readonly unknown[]).includes(e.fn)) break;
      return { kind: 'call', fn: e.fn as never, arg: sub(e.arg, '.arg'), ...pos };
    case 'fn': {
      if (typeof e.fn !== 'string' || !Object.hasOwn(SCALARS, e.fn) || !Array.isArray(e.args)) break;
      const [min, max] = SCALARS[e.fn as keyof typeof SCALARS];
      if (e.args.length < min || e.args.length > max) break;
      return { kind: 'fn', fn: e.fn as never, args: e.args.map((y, i) => sub(y, `.args[${i}]`)), ...pos };
    }
    case 'case': {
      if (!Array.isArray(e.whens) || e.whens.length === 0) break;
      const whens = e.whens.map((w, i) => {
        const o = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
        return { when: sub(o.when, `.whens[${i}].when`), result: sub(o.result, `.whens[${i}].result`) };
      });
      return { kind: 'case', whens, ...(e.else === undefined ? {} : { else: sub(e.else, '.else') }), ...pos };
    }
    case 'nav':
      if (!(NAVIGATIONS as readonly unknown[]).includes(e.fn) || typeof e.variable !== 'string' || !Array.isArray(e.path) || !e.path.every((p) => typeof p === 'string')) break;
      if (!Number.isInteger(e.offset) || (e.offset as number) < 0) break;
      return { kind: 'nav', fn: e.fn as never, variable: e.variable, path: e.path as string[], offset: e.offset as number, ...pos };
  }
  throw fail(at, `not a valid expression node: ${String(JSON.stringify(x)).slice(0, 80)}`);
}
