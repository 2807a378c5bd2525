/**
 * Rules as data: a versioned JSON form of compiled rules that a server can hand to a browser, which
 * loads it without the parser. Its shape follows the JSON rule format of Alibaba Cloud's dynamic
 * Flink CEP (nodes with a quantifier and a condition, edges typed by contiguity, a window, an
 * afterMatchStrategy); the condition type is "CEPHEUS_EXPR", an expression tree of this language.
 * See docs/rules.md for what is supported.
 */
import { AGGREGATES, type Expr, type Quantifier, type RuleAst, type SeqItem, type SeqNode } from './ast.js';
import { compileAsts, conditionsByVariable, type CompiledRule } from './compile.js';
import { SourceText } from './errors.js';

export type ConsumingStrategy = 'STRICT' | 'SKIP_TILL_NEXT' | 'SKIP_TILL_ANY' | 'NOT_NEXT' | 'NOT_FOLLOW';

export interface QuantifierJson {
  consumingStrategy: ConsumingStrategy;
  properties: ('SINGLE' | 'LOOPING' | 'TIMES' | 'OPTIONAL')[];
  times: { from: number; to: number | null } | null;
  untilCondition: null;
}

export type NodeJson =
  | { name: string; type: 'ATOMIC'; quantifier: QuantifierJson; condition: { type: 'CEPHEUS_EXPR'; eventCodes: string[]; expression: unknown } }
  | { name: string; type: 'COMPOSITE'; quantifier: QuantifierJson; nodes: NodeJson[]; edges: EdgeJson[] };

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
      let json: NodeJson;
      if (node.kind === 'group') {
        json = { name: `group_${++groups}`, type: 'COMPOSITE', quantifier, ...graph(node.items) };
      } else {
        const exprs = conditions.get(node.variable) ?? [];
        const expression = exprs.length === 0 ? null : stripPositions(exprs.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, at: 0, len: 0 })));
        json = { name: node.variable, type: 'ATOMIC', quantifier, condition: { type: 'CEPHEUS_EXPR', eventCodes: r.variables.get(node.variable)!.codes, expression } };
      }
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
    repeat: r.repeat ? { min: r.repeat.min, max: r.repeat.max, same: r.repeat.same.map(stripPositions), having: r.repeat.having ? stripPositions(r.repeat.having) : null } : null,
    returns: r.returns.map((f) => ({ name: f.alias, expression: stripPositions(f.expr) })),
  };
}

function quantifierJson(strategy: ConsumingStrategy, q: Quantifier | undefined): QuantifierJson {
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

/** Loads and compiles rules from their JSON form (a RulesDocument, parsed or as text). */
export function loadRulesJson(doc: unknown): CompiledRule[] {
  const asts = rulesFromJson(typeof doc === 'string' ? JSON.parse(doc) : doc);
  return compileAsts(asts, new SourceText('<rules loaded from JSON>', 'rules.json'));
}

class JsonShapeError extends Error {
  override name = 'RuleJsonError';
}

/** Rebuilds parsed rules from the JSON form, checking its shape (the input may come from anywhere). */
export function rulesFromJson(doc: unknown): RuleAst[] {
  const d = doc as RulesDocument;
  if (d?.format !== 'cepheus-rules') throw new JsonShapeError('not a Cepheus rules document (format must be "cepheus-rules")');
  if (d.version !== 1) throw new JsonShapeError(`unsupported rules document version ${String(d.version)} (this build reads version 1)`);
  if (!Array.isArray(d.rules)) throw new JsonShapeError('rules must be an array');
  return d.rules.map((r, i) => ruleFromJson(r, `rules[${i}]`));
}

function ruleFromJson(r: RuleJson, path: string): RuleAst {
  const fail = (where: string, what: string) => new JsonShapeError(`${path}${where}: ${what}`);
  if (typeof r?.name !== 'string') throw fail('.name', 'expected a string');
  const variables: RuleAst['variables'] = new Map();
  const where: Expr[] = [];
  const sequence = (nodes: NodeJson[], edges: EdgeJson[], at: string): SeqItem[] => {
    if (!Array.isArray(nodes) || nodes.length === 0) throw fail(at + '.nodes', 'expected a non-empty array');
    if (!Array.isArray(edges) || edges.length !== nodes.length - 1) throw fail(at + '.edges', `expected ${nodes.length - 1} edges chaining the nodes in order`);
    return nodes.map((n, i) => {
      const np = `${at}.nodes[${i}]`;
      const incoming = i === 0 ? 'STRICT' : edges[i - 1]?.type;
      if (i > 0 && (edges[i - 1]?.source !== nodes[i - 1].name || edges[i - 1]?.target !== n.name)) throw fail(`${at}.edges[${i - 1}]`, `expected an edge from '${nodes[i - 1].name}' to '${n?.name}'`);
      const link = i === 0 ? 'begin' : incoming === 'STRICT' || incoming === 'NOT_NEXT' ? 'next' : incoming === 'SKIP_TILL_NEXT' || incoming === 'NOT_FOLLOW' ? 'followedBy' : incoming === 'SKIP_TILL_ANY' ? 'followedByAny' : undefined;
      if (link === undefined) throw fail(`${at}.edges[${i - 1}].type`, `unknown contiguity '${String(incoming)}'`);
      const quantifier = quantifierFromJson(n?.quantifier, np + '.quantifier', fail);
      let node: SeqNode;
      if (n?.type === 'COMPOSITE') {
        node = { kind: 'group', items: sequence(n.nodes, n.edges, np), at: 0, len: 0 };
      } else if (n?.type === 'ATOMIC') {
        if (typeof n.name !== 'string' || n.name === '') throw fail(np + '.name', 'expected a variable name');
        const c = n.condition;
        if (c?.type !== 'CEPHEUS_EXPR' || !Array.isArray(c.eventCodes) || c.eventCodes.length === 0 || !c.eventCodes.every((x) => typeof x === 'string')) {
          throw fail(np + '.condition', 'expected {type: "CEPHEUS_EXPR", eventCodes: [string, ...], expression}');
        }
        if (variables.has(n.name)) throw fail(np + '.name', `variable '${n.name}' appears twice`);
        variables.set(n.name, { codes: c.eventCodes, at: 0, len: 0 });
        if (c.expression !== null && c.expression !== undefined) where.push(exprFromJson(c.expression, np + '.condition.expression', fail));
        node = { kind: 'step', variable: n.name, negated: incoming === 'NOT_NEXT' || incoming === 'NOT_FOLLOW', at: 0, len: 0 };
      } else throw fail(np + '.type', 'expected "ATOMIC" or "COMPOSITE"');
      if (quantifier) node.quantifier = quantifier;
      return { link, node } as SeqItem;
    });
  };
  const rule: RuleAst = { name: r.name, at: 0, len: 1, variables, sequence: sequence(r.nodes, r.edges, ''), eventAt: 0, returns: [] };
  if (where.length > 0) rule.where = where.reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b, at: 0, len: 0 }));
  if (r.window) {
    if (r.window.type !== 'FIRST_AND_LAST' || r.window.time?.unit !== 'MILLISECONDS' || !(r.window.time.size >= 0)) throw fail('.window', 'expected {type: "FIRST_AND_LAST", time: {unit: "MILLISECONDS", size}}');
    rule.within = { ms: r.window.time.size, at: 0, len: 0 };
  }
  const s = r.afterMatchStrategy;
  const kinds = { SKIP_PAST_LAST_EVENT: 'pastLastEvent', SKIP_TO_NEXT: 'toNext', NO_SKIP: 'noSkip', SKIP_TO_FIRST: 'toFirst', SKIP_TO_LAST: 'toLast' } as const;
  const kind = s ? kinds[s.type] : 'pastLastEvent';
  if (kind === undefined) throw fail('.afterMatchStrategy.type', `unknown strategy '${String(s?.type)}'`);
  rule.skip = kind === 'toFirst' || kind === 'toLast' ? { kind, variable: String(s.patternName), at: 0, len: 0 } : { kind };
  if (r.partitionBy) rule.partitionBy = r.partitionBy.map((x, i) => exprFromJson(x, `.partitionBy[${i}]`, fail));
  if (r.repeat) {
    rule.repeat = {
      min: r.repeat.min,
      max: r.repeat.max,
      same: (r.repeat.same ?? []).map((x, i) => exprFromJson(x, `.repeat.same[${i}]`, fail)),
      having: r.repeat.having ? exprFromJson(r.repeat.having, '.repeat.having', fail) : undefined,
      at: 0,
      len: 0,
    };
  }
  rule.returns = (r.returns ?? []).map((f, i) => ({ alias: String(f.name), expr: exprFromJson(f.expression, `.returns[${i}]`, fail), at: 0, len: 0 }));
  return rule;
}

function quantifierFromJson(q: QuantifierJson, at: string, fail: (w: string, m: string) => Error): Quantifier | undefined {
  const props = q?.properties;
  if (!Array.isArray(props)) throw fail(at, 'expected {consumingStrategy, properties, times}');
  const optional = props.includes('OPTIONAL');
  if (props.includes('LOOPING')) {
    const from = q.times?.from ?? 1;
    if (optional) return { kind: 'zeroOrMore' };
    return from === 1 ? { kind: 'oneOrMore' } : { kind: 'times', from, to: null };
  }
  if (props.includes('TIMES')) {
    if (!q.times || !Number.isInteger(q.times.from) || !(q.times.to === null || Number.isInteger(q.times.to))) throw fail(at + '.times', 'expected {from, to}');
    return { kind: 'times', from: q.times.from, to: q.times.to };
  }
  return optional ? { kind: 'optional' } : undefined;
}

/** Expressions travel without source positions. */
function stripPositions(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === 'at' || k === 'len' ? undefined : v)));
}

const BINARY = new Set(['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'AND', 'OR']);

/** Checks an expression tree from JSON node by node, so that only known node kinds reach the compiler. */
function exprFromJson(x: unknown, at: string, fail: (w: string, m: string) => Error): Expr {
  const e = x as Record<string, unknown>;
  const sub = (v: unknown, p: string) => exprFromJson(v, at + p, fail);
  const pos = { at: 0, len: 0 };
  switch (e?.kind) {
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
  }
  throw fail(at, `not a valid expression node: ${JSON.stringify(x)?.slice(0, 80)}`);
}
