import { AfterMatchSkipStrategy } from '../nfa/after-match/skip-strategy.js';
import { and, conditionNode, or, TRUE, type ConditionInput, type ConditionNode } from './conditions.js';
import { MalformedPatternError } from './errors.js';
import { Quantifier, Times, type ConsumingStrategy } from './quantifier.js';

/** FIRST_AND_LAST: first to last event of a match; PREVIOUS_AND_CURRENT: between consecutive events. */
export type WithinType = 'FIRST_AND_LAST' | 'PREVIOUS_AND_CURRENT';

/**
 * A step of a pattern sequence, linked to the step before it (Flink's Pattern).
 * Build with `Pattern.begin(...)` and the fluent methods; compile with `compile(pattern)`.
 */
export class Pattern<E> {
  /** @internal */ _condition: ConditionNode<E> | undefined;
  /** @internal */ _until: ConditionNode<E> | undefined;
  /** @internal */ _quantifier: Quantifier;
  /** @internal */ _times: Times | undefined;
  /** @internal */ readonly _windows: Partial<Record<WithinType, number>> = {};

  protected constructor(
    readonly name: string,
    readonly previous: Pattern<E> | undefined,
    consumingStrategy: ConsumingStrategy,
    readonly skipStrategy: AfterMatchSkipStrategy,
  ) {
    this._quantifier = Quantifier.one(consumingStrategy);
  }

  /** Starts a pattern with a named step, or with a group pattern. */
  static begin<E = any>(name: string, skip?: AfterMatchSkipStrategy): Pattern<E>;
  static begin<E = any>(group: Pattern<E>, skip?: AfterMatchSkipStrategy): GroupPattern<E>;
  static begin<E = any>(nameOrGroup: string | Pattern<E>, skip = AfterMatchSkipStrategy.noSkip()): Pattern<E> {
    if (!(skip instanceof AfterMatchSkipStrategy)) throw new MalformedPatternError('begin: the second argument must be an AfterMatchSkipStrategy');
    if (nameOrGroup instanceof Pattern) return new GroupPattern(undefined, nameOrGroup, 'STRICT', skip);
    return new Pattern<E>(checkName(nameOrGroup), undefined, 'STRICT', skip);
  }

  get quantifier(): Quantifier {
    return this._quantifier;
  }
  /** Repetition bounds set by times/timesOrMore/oneOrMore. */
  get repetitions(): Times | undefined {
    return this._times;
  }
  /** The step's condition (always-true when none was given). */
  get condition(): ConditionNode<E> {
    return this._condition ?? TRUE;
  }
  get untilCondition(): ConditionNode<E> | undefined {
    return this._until;
  }
  windowMs(type: WithinType = 'FIRST_AND_LAST'): number | undefined {
    return this._windows[type];
  }

  /** Adds a condition, AND-ed with the existing one. */
  where(condition: ConditionInput<E>): this {
    const c = conditionNode(condition);
    this._condition = this._condition === undefined ? c : and(this._condition, c);
    return this;
  }

  /** Adds a condition, OR-ed with the existing one. */
  or(condition: ConditionInput<E>): this {
    const c = conditionNode(condition);
    this._condition = this._condition === undefined ? c : or(this._condition, c);
    return this;
  }

  /** Stops a looping step when an event satisfies the condition. */
  until(condition: ConditionInput<E>): this {
    const c = conditionNode(condition);
    if (this._until !== undefined) throw new MalformedPatternError('Only one until condition can be applied.');
    if (!this._quantifier.has('LOOPING')) throw new MalformedPatternError('The until condition is only applicable to looping states.');
    this._until = c;
    return this;
  }

  /** Maximum time between the first and last events (or between consecutive events) of a match. */
  within(ms: number, type: WithinType = 'FIRST_AND_LAST'): this {
    checkDuration(ms, 'within');
    if (type !== 'FIRST_AND_LAST' && type !== 'PREVIOUS_AND_CURRENT') {
      throw new MalformedPatternError(`within: unknown window type '${String(type)}' (FIRST_AND_LAST or PREVIOUS_AND_CURRENT)`);
    }
    this._windows[type] = ms;
    return this;
  }

  /** Strict contiguity: the next step must match the very next event. */
  next(name: string): Pattern<E>;
  next(group: Pattern<E>): GroupPattern<E>;
  next(step: string | Pattern<E>): Pattern<E> {
    return this.append(step, 'STRICT');
  }
  /** Relaxed contiguity: non-matching events in between are skipped. */
  followedBy(name: string): Pattern<E>;
  followedBy(group: Pattern<E>): GroupPattern<E>;
  followedBy(step: string | Pattern<E>): Pattern<E> {
    return this.append(step, 'SKIP_TILL_NEXT');
  }
  /** Non-deterministic relaxed contiguity: any later matching event, also after a match. */
  followedByAny(name: string): Pattern<E>;
  followedByAny(group: Pattern<E>): GroupPattern<E>;
  followedByAny(step: string | Pattern<E>): Pattern<E> {
    return this.append(step, 'SKIP_TILL_ANY');
  }
  /** The very next event must not match this step. */
  notNext(name: string): Pattern<E> {
    this.checkNoOptionalBeforeNot();
    return new Pattern<E>(checkName(name), this, 'NOT_NEXT', this.skipStrategy);
  }
  /** No event matching this step may occur between the surrounding steps. */
  notFollowedBy(name: string): Pattern<E> {
    this.checkNoOptionalBeforeNot();
    return new Pattern<E>(checkName(name), this, 'NOT_FOLLOW', this.skipStrategy);
  }

  optional(): this {
    if (this.previous?._quantifier.has('GREEDY')) throw new MalformedPatternError('Optional pattern cannot be preceded by greedy pattern');
    this._quantifier.optional();
    return this;
  }

  /** One or more; `windowMs` bounds the time between consecutive events of the loop. */
  oneOrMore(windowMs?: number): this {
    return this.timesOrMore(1, windowMs);
  }

  timesOrMore(times: number, windowMs?: number): this {
    this.checkQuantifiable();
    this._quantifier = Quantifier.looping(this._quantifier.consumingStrategy);
    this._times = new Times(checkCount(times), checkCount(times), optionalDuration(windowMs));
    return this;
  }

  /**
   * Exactly `n` times, or between `from` and `to` times. The optional `windowMs` bounds the time
   * between consecutive events of the loop; Flink's `times(n, window)` is `times(n, n, windowMs)`.
   */
  times(n: number): this;
  times(from: number, to: number, windowMs?: number): this;
  times(a: number, b?: number, c?: number): this {
    this.checkQuantifiable();
    if (b === undefined) {
      if (!(Number.isInteger(a) && a > 0)) throw new MalformedPatternError('You should give a positive number greater than 0.');
      b = a;
    }
    let from = checkCount(a, true);
    this._quantifier = Quantifier.times(this._quantifier.consumingStrategy);
    if (from === 0) {
      this._quantifier.optional();
      from = 1;
    }
    this._times = new Times(from, checkCount(b, true), optionalDuration(c));
    return this;
  }

  /** Greedy looping: take as many events as possible before proceeding. */
  greedy(): this {
    this.checkNotNot();
    if (this instanceof GroupPattern) throw new MalformedPatternError('Option not applicable to group pattern');
    this._quantifier.greedy();
    return this;
  }

  /** Strict contiguity between the repetitions of a looping/times step. */
  consecutive(): this {
    this._quantifier.consecutive();
    return this;
  }

  /** Non-deterministic relaxed contiguity between the repetitions of a looping/times step. */
  allowCombinations(): this {
    this._quantifier.combinations();
    return this;
  }

  toString(): string {
    return `Pattern{name='${this.name}', quantifier=${this._quantifier}}`;
  }

  private append(step: string | Pattern<E>, strategy: ConsumingStrategy): Pattern<E> {
    if (step instanceof Pattern) return new GroupPattern(this, step, strategy, this.skipStrategy);
    return new Pattern<E>(checkName(step), this, strategy, this.skipStrategy);
  }

  private checkNoOptionalBeforeNot(): void {
    if (this._quantifier.has('OPTIONAL')) {
      throw new MalformedPatternError(
        'Specifying a pattern with an optional path to NOT condition is not supported yet. ' +
          'You can simulate such pattern with two independent patterns, one with and the other without the optional part.',
      );
    }
  }

  private checkNotNot(): void {
    const c = this._quantifier.consumingStrategy;
    if (c === 'NOT_FOLLOW' || c === 'NOT_NEXT') throw new MalformedPatternError('Option not applicable to NOT pattern');
  }

  private checkQuantifiable(): void {
    this.checkNotNot();
    if (!this._quantifier.has('SINGLE')) {
      throw new MalformedPatternError(`Already applied quantifier to this Pattern. Current quantifier is: ${this._quantifier}`);
    }
  }
}

/** A pattern sequence used as one step of an enclosing pattern (Flink's GroupPattern). */
export class GroupPattern<E> extends Pattern<E> {
  /** @internal */
  constructor(
    previous: Pattern<E> | undefined,
    readonly rawPattern: Pattern<E>,
    strategy: ConsumingStrategy,
    skip: AfterMatchSkipStrategy,
  ) {
    super('GroupPattern', previous, strategy, skip);
  }

  override where(_condition?: ConditionInput<E>): this {
    throw new MalformedPatternError('GroupPattern does not support where clause.');
  }
  override or(_condition?: ConditionInput<E>): this {
    throw new MalformedPatternError('GroupPattern does not support or clause.');
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new MalformedPatternError('A pattern name must be a non-empty string');
  return name;
}

function checkCount(n: number, allowZero = false): number {
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new MalformedPatternError(`Expected a ${allowZero ? 'non-negative' : 'positive'} integer count, got ${n}`);
  }
  return n;
}

function checkDuration(ms: number, what: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new MalformedPatternError(`${what}: expected a duration in ms, got ${ms}`);
  return ms;
}

function optionalDuration(ms: number | undefined): number | undefined {
  return ms === undefined || ms === null ? undefined : checkDuration(ms, 'window');
}
