/** Syntax tree of the rule language. Every node keeps its source offset for error messages. */

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; at: number; len: number }
  | { kind: 'field'; variable: string; path: string[]; at: number; len: number }
  | { kind: 'variable'; variable: string; at: number; len: number }
  | { kind: 'unary'; op: '-' | 'NOT'; arg: Expr; at: number; len: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; at: number; len: number }
  | { kind: 'in'; arg: Expr; list: Expr[]; negated: boolean; at: number; len: number }
  | { kind: 'like'; arg: Expr; pattern: Expr; negated: boolean; at: number; len: number }
  | { kind: 'isNull'; arg: Expr; negated: boolean; at: number; len: number }
  | { kind: 'call'; fn: AggregateFn; arg: Expr; at: number; len: number }
  | { kind: 'fn'; fn: ScalarFn; args: Expr[]; at: number; len: number }
  | { kind: 'case'; whens: { when: Expr; result: Expr }[]; else?: Expr; at: number; len: number }
  /** PREV(v.f, n), FIRST(v.f, n), LAST(v.f, n): a field of another of the events a variable took (see docs/rules.md). */
  | { kind: 'nav'; fn: NavigationFn; variable: string; path: string[]; offset: number; at: number; len: number };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';
export const AGGREGATES = ['SUM', 'COUNT', 'MAX', 'MIN', 'AVG', 'DISTINCT'] as const;
export type AggregateFn = (typeof AGGREGATES)[number];
/** Scalar functions, with the numbers of arguments each takes. */
export const SCALARS = {
  COALESCE: [1, Infinity],
  ABS: [1, 1],
  LOWER: [1, 1],
  UPPER: [1, 1],
  LENGTH: [1, 1],
  SUBSTR: [2, 3],
  CONCAT: [1, Infinity],
  ROUND: [1, 2],
  FLOOR: [1, 1],
  CEIL: [1, 1],
  HOUR_OF_DAY: [1, 1],
  DAY_OF_WEEK: [1, 1],
} as const;
export type ScalarFn = keyof typeof SCALARS;
export const NAVIGATIONS = ['PREV', 'FIRST', 'LAST'] as const;
export type NavigationFn = (typeof NAVIGATIONS)[number];

/** A quantifier, with its place in the text (`at`, `len`; 0 for rules read from JSON). */
export type Quantifier = ({ kind: 'oneOrMore' } | { kind: 'zeroOrMore' } | { kind: 'optional' } | { kind: 'times'; from: number; to: number | null }) & {
  at?: number;
  len?: number;
  /** `+?`, `*?`, `{n,}?`, `{n,m}?`: as few repetitions as needed (the default is greedy; see docs/rules.md). */
  reluctant?: boolean;
};

/** How a sequence element connects to the one before it. */
export type Link = 'begin' | 'next' | 'followedBy' | 'followedByAny';

export type SeqNode =
  | { kind: 'step'; variable: string; negated: boolean; quantifier?: Quantifier; at: number; len: number }
  | { kind: 'group'; items: SeqItem[]; quantifier?: Quantifier; at: number; len: number }
  /** PERMUTE(a, b, c): the variables in any order, each after the one before with relaxed contiguity. */
  | { kind: 'permute'; variables: { variable: string; at: number; len: number }[]; quantifier?: undefined; at: number; len: number };

export interface SeqItem {
  link: Link;
  node: SeqNode;
}

export type SkipClause = { kind: 'pastLastEvent' } | { kind: 'toNext' } | { kind: 'noSkip' } | { kind: 'toFirst' | 'toLast'; variable: string; at: number; len: number };

export interface RuleAst {
  name: string;
  at: number;
  len: number;
  variables: Map<string, { codes: string[]; at: number; len: number }>;
  sequence: SeqItem[];
  eventAt: number;
  where?: Expr;
  repeat?: { min: number; max: number | null; same: Expr[]; having?: Expr; at: number; len: number };
  partitionBy?: Expr[];
  /** INPUT: the event codes the rule reads (default: those its variables declare). */
  input?: { codes: string[]; at: number; len: number };
  within?: { ms: number; at: number; len: number };
  skip?: SkipClause;
  returns: { alias: string; expr: Expr; at: number; len: number }[];
}
