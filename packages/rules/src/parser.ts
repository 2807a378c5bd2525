import {
  AGGREGATES,
  NAVIGATIONS,
  SCALARS,
  type AggregateFn,
  type NavigationFn,
  type ScalarFn,
  type BinaryOp,
  type Expr,
  type Link,
  type Quantifier,
  type RuleAst,
  type SeqItem,
  type SeqNode,
  type SkipClause,
} from './ast.js';
import { allErrors, RuleError, SourceText } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const KEYWORDS = new Set(
  'RULENAME EVENT WHERE REPEAT SAME HAVING WITHIN RETURN AFTER MATCH SKIP PAST LAST TO NEXT FIRST NO PARTITION BY INPUT PERMUTE AND OR NOT IN LIKE IS NULL TRUE FALSE CASE WHEN THEN ELSE END'.split(
    ' ',
  ),
);
const CLAUSES = ['WHERE', 'REPEAT', 'PARTITION', 'INPUT', 'WITHIN', 'AFTER', 'RETURN'];
const UNITS: Record<string, number> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** Parses a rule file (one or more rules). Throws RuleError with line, column and a hint (RuleErrors for several). */
export function parseRules(text: string, file?: string): RuleAst[] {
  const { rules, errors } = parseRuleText(new SourceText(text, file));
  if (errors.length > 0) throw allErrors(errors);
  return rules;
}

/**
 * Parses a rule file, going on after an error in a rule from the next RULENAME, so that every
 * rule's first syntax error is found. A lexical error (an unterminated string) ends the file.
 */
export function parseRuleText(src: SourceText): { rules: RuleAst[]; errors: RuleError[]; timeZone?: { name: string; at: number; len: number } } {
  return new Parser(src).file();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private rule: string | undefined;

  constructor(readonly src: SourceText) {
    this.tokens = tokenize(src);
  }

  file(): { rules: RuleAst[]; errors: RuleError[]; timeZone?: { name: string; at: number; len: number } } {
    const rules: RuleAst[] = [];
    const errors: RuleError[] = [];
    // TIME ZONE 'Asia/Shanghai' before the first rule: the file's default zone
    let timeZone: { name: string; at: number; len: number } | undefined;
    if (this.isKeyword('TIME') && this.isKeyword('ZONE', this.peek(1))) {
      this.next();
      this.next();
      const z = this.next();
      if (z.kind !== 'string') errors.push(this.fail(`expected the zone as text after TIME ZONE, found ${describe(z)}`, z, "TIME ZONE 'Asia/Shanghai' or TIME ZONE '+08:00'"));
      else timeZone = { name: z.text, at: z.offset, len: z.length };
    }
    if (this.peek().kind === 'eof') errors.push(this.fail('the file has no rule', this.peek(), 'a rule starts with RULENAME "name"'));
    while (this.peek().kind !== 'eof') {
      const start = this.pos;
      try {
        rules.push(this.ruleDef());
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        errors.push(e);
        // resume at the next rule
        if (this.pos === start) this.next();
        while (this.peek().kind !== 'eof' && !this.isKeyword('RULENAME')) this.next();
      }
    }
    return { rules, errors, ...(timeZone ? { timeZone } : {}) };
  }

  // ---- tokens -------------------------------------------------------------------------------

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isKeyword(word: string, t = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }
  private isOp(op: string, t = this.peek()): boolean {
    return t.kind === 'op' && t.text === op;
  }
  private acceptKeyword(word: string): Token | undefined {
    return this.isKeyword(word) ? this.next() : undefined;
  }
  private acceptOp(op: string): Token | undefined {
    return this.isOp(op) ? this.next() : undefined;
  }
  private expectKeyword(word: string, hint?: string): Token {
    if (!this.isKeyword(word)) {
      const t = this.peek();
      const guess = t.kind === 'ident' && nearest(t.text.toUpperCase(), [word]) !== undefined;
      throw this.fail(`expected ${word}, found ${describe(t)}`, t, guess ? `did you mean ${word}?` : hint);
    }
    return this.next();
  }
  private expectOp(op: string, hint?: string): Token {
    if (!this.isOp(op)) throw this.fail(`expected '${op}', found ${describe(this.peek())}`, this.peek(), hint);
    return this.next();
  }
  private fail(message: string, at: Token | { offset: number; length: number }, hint?: string): RuleError {
    return this.src.error(message, at.offset, Math.max(1, at.length), hint, this.rule);
  }
  private integer(what: string): { value: number; token: Token } {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.fail(`expected ${what} (a whole number), found ${describe(t)}`, t);
    this.next();
    return { value: Number(t.text), token: t };
  }
  private span(startOffset: number): { at: number; len: number } {
    const prev = this.tokens[Math.max(0, this.pos - 1)];
    return { at: startOffset, len: Math.max(1, prev.offset + prev.length - startOffset) };
  }

  // ---- rules --------------------------------------------------------------------------------

  private ruleDef(): RuleAst {
    const start = this.peek();
    this.rule = undefined;
    this.expectKeyword('RULENAME', 'every rule starts with RULENAME "name"');
    this.acceptOp(':');
    const nameTok = this.next();
    if (nameTok.kind !== 'string' && nameTok.kind !== 'ident') throw this.fail(`expected the rule's name, found ${describe(nameTok)}`, nameTok, 'write RULENAME: "my_rule"');
    this.rule = nameTok.text;
    const variables: RuleAst['variables'] = new Map();
    while (this.peek().kind === 'ident' && this.isOp(':', this.peek(1)) && !KEYWORDS.has(this.peek().text.toUpperCase())) {
      const v = this.next();
      if (variables.has(v.text)) throw this.fail(`variable '${v.text}' is declared twice`, v, 'give each variable its own name');
      this.next(); // ':'
      const codes = [this.eventCode()];
      while (this.acceptOp('|')) codes.push(this.eventCode());
      variables.set(v.text, { codes, at: v.offset, len: v.length });
    }
    if (variables.size === 0)
      throw this.fail(`expected a variable declaration such as 'e1: EVENT_CODE', found ${describe(this.peek())}`, this.peek(), 'declare the events the rule uses before EVENT');
    const eventTok = this.expectKeyword('EVENT', "after the declarations comes EVENT followed by the sequence, e.g. 'EVENT e1 -> e2'");
    const sequence = this.sequence(true);
    const rule: RuleAst = { name: nameTok.text, at: start.offset, len: nameTok.offset + nameTok.length - start.offset, variables, sequence, eventAt: eventTok.offset, returns: [] };
    const seen = new Set<string>();
    while (this.peek().kind !== 'eof' && !this.isKeyword('RULENAME')) {
      const t = this.peek();
      const word = t.kind === 'ident' ? t.text.toUpperCase() : '';
      if (!CLAUSES.includes(word)) {
        const guess = t.kind === 'ident' ? nearest(word, [...CLAUSES, 'RULENAME']) : undefined;
        throw this.fail(`unexpected ${describe(t)}`, t, guess ? `did you mean ${guess}?` : `after EVENT come the clauses ${CLAUSES.join(', ')} (each once), or the next RULENAME`);
      }
      if (seen.has(word)) throw this.fail(`${word} appears twice in this rule`, t, 'combine the two into one clause');
      seen.add(word);
      this.next();
      if (word === 'WHERE') rule.where = this.expr();
      else if (word === 'REPEAT') rule.repeat = this.repeat(t.offset);
      else if (word === 'PARTITION') {
        this.expectKeyword('BY', 'write PARTITION BY e1.field');
        rule.partitionBy = this.exprList();
      } else if (word === 'INPUT') {
        const codes = [this.eventCode()];
        while (this.acceptOp('|')) codes.push(this.eventCode());
        rule.input = { codes, ...this.span(t.offset) };
      } else if (word === 'WITHIN') rule.within = this.within(t.offset);
      else if (word === 'AFTER') rule.skip = this.skip();
      else rule.returns = this.returns();
    }
    return rule;
  }

  private eventCode(): string {
    if (this.acceptOp('*')) return '*'; // an any-event variable
    const t = this.next();
    if (t.kind !== 'ident' && t.kind !== 'string') throw this.fail(`expected an event code, found ${describe(t)}`, t, "e.g. 'e1: S_SEND_MSG' or 'e1: A | B'");
    return t.text;
  }

  /** sequence := element (('->' | '->>' | ',') element)* */
  private sequence(top: boolean): SeqItem[] {
    const items: SeqItem[] = [{ link: 'begin', node: this.element() }];
    for (;;) {
      let link: Link | undefined;
      if (this.acceptOp('->')) link = 'followedBy';
      else if (this.acceptOp('->>')) link = 'followedByAny';
      else if (this.acceptOp(',')) link = 'next';
      if (link === undefined) break;
      items.push({ link, node: this.element() });
    }
    if (!top && !this.isOp(')')) throw this.fail(`expected ')' or one of -> ->> , found ${describe(this.peek())}`, this.peek());
    return items;
  }

  private element(): SeqNode {
    const start = this.peek();
    const negated = this.acceptOp('!') !== undefined;
    let node: SeqNode;
    if (this.acceptOp('(')) {
      if (negated) throw this.fail('a group cannot be negated', start, 'negate single variables: a -> !b -> c');
      const items = this.sequence(false);
      this.expectOp(')');
      node = { kind: 'group', items, ...this.span(start.offset) };
    } else if (this.isKeyword('PERMUTE') && this.isOp('(', this.peek(1))) {
      if (negated) throw this.fail('PERMUTE cannot be negated', start, 'negate single variables: a -> !b -> c');
      this.next();
      this.next(); // (
      const variables: { variable: string; at: number; len: number }[] = [];
      do {
        const v = this.next();
        if (v.kind !== 'ident' || KEYWORDS.has(v.text.toUpperCase()))
          throw this.fail(`expected a variable in PERMUTE, found ${describe(v)}`, v, 'PERMUTE(a, b, c) lists declared variables');
        variables.push({ variable: v.text, at: v.offset, len: v.length });
      } while (this.acceptOp(','));
      this.expectOp(')', 'PERMUTE(a, b, c)');
      if (this.isOp('+') || this.isOp('*') || this.isOp('?') || this.isOp('{')) throw this.fail('PERMUTE cannot take a quantifier', this.peek());
      return { kind: 'permute', variables, ...this.span(start.offset) };
    } else {
      const v = this.next();
      if (v.kind !== 'ident' || KEYWORDS.has(v.text.toUpperCase()))
        throw this.fail(`expected a variable in the EVENT sequence, found ${describe(v)}`, v, 'the sequence names declared variables: EVENT e1 -> e2');
      node = { kind: 'step', variable: v.text, negated, ...this.span(start.offset) };
    }
    const q = this.quantifier();
    if (q) node.quantifier = q;
    return node;
  }

  private quantifier(): Quantifier | undefined {
    const q = this.plainQuantifier();
    if (q === undefined || !this.isOp('?')) return q;
    const mark = this.next();
    if (q.kind === 'optional') throw this.fail('?? (a reluctant optional) is not supported', mark, 'write ? for zero or one');
    return { ...q, reluctant: true, len: mark.offset + 1 - q.at! };
  }

  private plainQuantifier(): Quantifier | undefined {
    const at = this.peek().offset;
    if (this.acceptOp('+')) return { kind: 'oneOrMore', at, len: 1 };
    if (this.acceptOp('*')) return { kind: 'zeroOrMore', at, len: 1 };
    if (this.acceptOp('?')) return { kind: 'optional', at, len: 1 };
    if (!this.acceptOp('{')) return undefined;
    const from = this.integer('a repetition count').value;
    let to: number | null = from;
    if (this.acceptOp(',')) to = this.peek().kind === 'number' ? this.integer('an upper bound').value : null;
    this.expectOp('}', 'quantifiers are {n}, {n,} or {n,m}');
    return { kind: 'times', from, to, ...this.span(at) };
  }

  private repeat(at: number): NonNullable<RuleAst['repeat']> {
    const min = this.integer('the number of repetitions');
    let max: number | null = min.value;
    if (this.acceptOp('+')) max = null;
    else if (this.isOp('.') && this.isOp('.', this.peek(1))) {
      this.next();
      this.next();
      max = this.integer('the maximum repetitions').value;
    }
    const same = this.acceptKeyword('SAME') ? this.exprList() : [];
    const having = this.acceptKeyword('HAVING') ? this.expr() : undefined;
    return { min: min.value, max, same, having, ...this.span(at) };
  }

  private within(at: number): NonNullable<RuleAst['within']> {
    const n = this.peek();
    if (n.kind !== 'number') throw this.fail(`expected a duration after WITHIN, found ${describe(n)}`, n, 'e.g. WITHIN 10 MINUTE');
    this.next();
    const unitTok = this.next();
    const unit = unitTok.kind === 'ident' ? unitTok.text.toUpperCase().replace(/S$/, '') : '';
    if (!(unit in UNITS)) {
      const guess = unit === '' ? undefined : nearest(unit, Object.keys(UNITS));
      throw this.fail(`unknown time unit ${describe(unitTok)}`, unitTok, guess ? `did you mean ${guess}?` : `use ${Object.keys(UNITS).join(', ')} (plural accepted)`);
    }
    const ms = Number(n.text) * UNITS[unit];
    if (!(ms >= 1))
      throw this.fail(
        `a window of ${n.text} ${unitTok.text} is ${ms === 0 ? 'empty' : 'shorter than a millisecond'}`,
        { offset: n.offset, length: unitTok.offset + unitTok.length - n.offset },
        'give a window of at least 1 MILLISECOND, or leave WITHIN out for no window',
      );
    return { ms, ...this.span(at) };
  }

  private skip(): SkipClause {
    this.expectKeyword('MATCH', 'write AFTER MATCH SKIP PAST LAST EVENT');
    if (this.acceptKeyword('NO')) {
      this.expectKeyword('SKIP');
      return { kind: 'noSkip' };
    }
    this.expectKeyword('SKIP', 'AFTER MATCH SKIP PAST LAST EVENT | TO NEXT | TO FIRST v | TO LAST v, or AFTER MATCH NO SKIP');
    if (this.acceptKeyword('PAST')) {
      this.expectKeyword('LAST');
      this.expectKeyword('EVENT');
      return { kind: 'pastLastEvent' };
    }
    this.expectKeyword('TO', 'AFTER MATCH SKIP PAST LAST EVENT | TO NEXT | TO FIRST v | TO LAST v');
    if (this.acceptKeyword('NEXT')) {
      this.acceptKeyword('ROW');
      return { kind: 'toNext' };
    }
    const which = this.acceptKeyword('FIRST') ? 'toFirst' : this.acceptKeyword('LAST') ? 'toLast' : undefined;
    if (!which) throw this.fail(`expected NEXT, FIRST or LAST, found ${describe(this.peek())}`, this.peek());
    const v = this.next();
    if (v.kind !== 'ident') throw this.fail(`expected a variable, found ${describe(v)}`, v);
    return { kind: which, variable: v.text, at: v.offset, len: v.length };
  }

  private returns(): RuleAst['returns'] {
    const out: RuleAst['returns'] = [];
    do {
      const alias = this.next();
      if (alias.kind !== 'ident') throw this.fail(`expected an output field name, found ${describe(alias)}`, alias, 'RETURN name=expression, ...');
      this.expectOp('=', 'RETURN name=expression, ...');
      const expr = this.expr();
      out.push({ alias: alias.text, expr, at: alias.offset, len: expr.at + expr.len - alias.offset });
    } while (this.acceptOp(','));
    return out;
  }

  private exprList(): Expr[] {
    const list = [this.expr()];
    while (this.acceptOp(',')) list.push(this.expr());
    return list;
  }

  // ---- expressions --------------------------------------------------------------------------

  expr(): Expr {
    return this.infix(
      (t) => (this.isKeyword('OR', t) ? 'OR' : undefined),
      () => this.and(),
    );
  }

  private and(): Expr {
    return this.infix(
      (t) => (this.isKeyword('AND', t) ? 'AND' : undefined),
      () => this.not(),
    );
  }

  /** Left-associative binary operators over `operand`; `operator` recognizes the operator token. */
  private infix(operator: (t: Token) => BinaryOp | undefined, operand: () => Expr): Expr {
    let left = operand();
    for (let op = operator(this.peek()); op !== undefined; op = operator(this.peek())) {
      this.next();
      left = binary(op, left, operand());
    }
    return left;
  }

  private not(): Expr {
    return this.prefix(
      'NOT',
      () => this.acceptKeyword('NOT'),
      () => this.not(),
      () => this.comparison(),
    );
  }

  /** A prefix operator applied to `operand`, or else `otherwise`. */
  private prefix(op: 'NOT' | '-', accept: () => Token | undefined, operand: () => Expr, otherwise: () => Expr): Expr {
    const t = this.peek();
    if (!accept()) return otherwise();
    const arg = operand();
    return { kind: 'unary', op, arg, at: t.offset, len: arg.at + arg.len - t.offset };
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    const ops: Record<string, BinaryOp> = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
    if (t.kind === 'op' && t.text in ops) {
      this.next();
      return binary(ops[t.text], left, this.additive());
    }
    const negated = this.isKeyword('NOT') && (this.isKeyword('IN', this.peek(1)) || this.isKeyword('LIKE', this.peek(1)));
    if (negated) this.next();
    if (this.acceptKeyword('IN')) {
      this.expectOp('(', "IN takes a list: x IN ('a', 'b')");
      const list = this.exprList();
      this.expectOp(')');
      return { kind: 'in', arg: left, list, negated, ...this.span(left.at) };
    }
    if (this.acceptKeyword('LIKE')) return { kind: 'like', arg: left, pattern: this.additive(), negated, ...this.span(left.at) };
    if (this.acceptKeyword('IS')) {
      const neg = this.acceptKeyword('NOT') !== undefined;
      this.expectKeyword('NULL', 'write IS NULL or IS NOT NULL');
      return { kind: 'isNull', arg: left, negated: neg, ...this.span(left.at) };
    }
    return left;
  }

  private additive(): Expr {
    return this.infix(
      (t) => (this.isOp('+', t) || this.isOp('-', t) ? (t.text as BinaryOp) : undefined),
      () => this.multiplicative(),
    );
  }

  private multiplicative(): Expr {
    return this.infix(
      (t) => (this.isOp('*', t) || this.isOp('/', t) || this.isOp('%', t) ? (t.text as BinaryOp) : undefined),
      () => this.unary(),
    );
  }

  private unary(): Expr {
    return this.prefix(
      '-',
      () => this.acceptOp('-'),
      () => this.unary(),
      () => this.primary(),
    );
  }

  /** CASE WHEN c THEN v [WHEN ...] [ELSE v] END (CASE already read). */
  private caseExpr(start: Token): Expr {
    const whens: { when: Expr; result: Expr }[] = [];
    while (this.acceptKeyword('WHEN')) {
      const when = this.expr();
      this.expectKeyword('THEN', 'CASE WHEN condition THEN value ... END');
      whens.push({ when, result: this.expr() });
    }
    if (whens.length === 0) throw this.fail(`expected WHEN after CASE, found ${describe(this.peek())}`, this.peek(), 'CASE WHEN condition THEN value [ELSE value] END');
    const otherwise = this.acceptKeyword('ELSE') ? this.expr() : undefined;
    this.expectKeyword('END', 'close CASE with END');
    return { kind: 'case', whens, ...(otherwise ? { else: otherwise } : {}), ...this.span(start.offset) };
  }

  /** PREV(v.field [, n]), FIRST(...), LAST(...) (the name already read, '(' next). */
  private navigation(start: Token, fn: NavigationFn): Expr {
    this.next(); // (
    const target = this.primary();
    if (target.kind !== 'field') throw this.fail(`${fn} takes a field of a variable, such as ${fn}(e2.extra_info.price)`, { offset: target.at, length: target.len });
    let offset = fn === 'PREV' ? 1 : 0;
    if (this.acceptOp(',')) offset = this.integer(`the number of events ${fn === 'FIRST' ? 'after the first' : 'before the last'}`).value;
    this.expectOp(')', `${fn}(v.field) or ${fn}(v.field, n)`);
    return { kind: 'nav', fn, variable: target.variable, path: target.path, offset, ...this.span(start.offset) };
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'number') return { kind: 'literal', value: Number(t.text), at: t.offset, len: t.length };
    if (t.kind === 'string') return { kind: 'literal', value: t.text, at: t.offset, len: t.length };
    if (t.kind === 'op' && t.text === '(') {
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (t.kind !== 'ident') throw this.fail(`expected a value, found ${describe(t)}`, t);
    const word = t.text.toUpperCase();
    if (word === 'TRUE' || word === 'FALSE') return { kind: 'literal', value: word === 'TRUE', at: t.offset, len: t.length };
    if (word === 'NULL') return { kind: 'literal', value: null, at: t.offset, len: t.length };
    if (word === 'CASE') return this.caseExpr(t);
    if (this.isOp('(')) {
      if ((NAVIGATIONS as readonly string[]).includes(word)) return this.navigation(t, word as NavigationFn);
      const scalar = Object.hasOwn(SCALARS, word) ? (word as ScalarFn) : undefined;
      if (!(AGGREGATES as readonly string[]).includes(word) && scalar === undefined) {
        const all = [...AGGREGATES, ...Object.keys(SCALARS), ...NAVIGATIONS];
        const guess = nearest(word, all);
        throw this.fail(`unknown function ${t.text}`, t, guess ? `did you mean ${guess}?` : `the functions are ${all.join(', ')}`);
      }
      this.next();
      const args = this.isOp(')') ? [] : this.exprList();
      const close = this.peek();
      this.expectOp(')', 'close the argument list with )');
      if (scalar === undefined) {
        if (args.length !== 1) throw this.fail(`${word} takes one argument, not ${args.length}`, close);
        return { kind: 'call', fn: word as AggregateFn, arg: args[0], ...this.span(t.offset) };
      }
      const [min, max] = SCALARS[scalar];
      if (args.length < min || args.length > max)
        throw this.fail(`${word} takes ${min === max ? min : max === Infinity ? `${min} or more` : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${args.length}`, {
          offset: t.offset,
          length: close.offset + 1 - t.offset,
        });
      return { kind: 'fn', fn: scalar, args, ...this.span(t.offset) };
    }
    if (KEYWORDS.has(word)) throw this.fail(`expected a value, found the keyword ${t.text}`, t);
    const path: string[] = [];
    for (;;) {
      if (this.acceptOp('.')) {
        const f = this.next();
        if (f.kind !== 'ident') throw this.fail(`expected a field name after '.', found ${describe(f)}`, f);
        path.push(f.text);
      } else if (this.acceptOp('[')) {
        const f = this.next();
        if (f.kind !== 'ident' && f.kind !== 'string') throw this.fail(`expected a key inside [ ], found ${describe(f)}`, f, "e.extra_info['key'] or e.extra_info[key]");
        this.expectOp(']');
        path.push(f.text);
      } else break;
    }
    const span = this.span(t.offset);
    return path.length === 0 ? { kind: 'variable', variable: t.text, ...span } : { kind: 'field', variable: t.text, path, ...span };
  }
}

function binary(op: BinaryOp, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, left, right, at: left.at, len: right.at + right.len - left.at };
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'string') return `the string "${t.text}"`;
  return `'${t.text}'`;
}

/** The candidate `word` is a likely typo of (at most 2 edits, 1 for words of up to 4 letters), if one. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = word.length <= 4 ? 2 : 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d > 0 && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
