import { MalformedPatternError } from './errors.js';

/** How events between two pattern steps are treated (Flink's ConsumingStrategy). */
export type ConsumingStrategy = 'STRICT' | 'SKIP_TILL_NEXT' | 'SKIP_TILL_ANY' | 'NOT_FOLLOW' | 'NOT_NEXT';

export type QuantifierProperty = 'SINGLE' | 'LOOPING' | 'TIMES' | 'OPTIONAL' | 'GREEDY';

/** How many times a pattern step may match, and how its repetitions are contiguous. */
export class Quantifier {
  readonly properties: Set<QuantifierProperty>;
  /** Contiguity between repetitions of a looping/times step. */
  innerConsumingStrategy: ConsumingStrategy = 'SKIP_TILL_NEXT';

  private constructor(
    readonly consumingStrategy: ConsumingStrategy,
    property: QuantifierProperty,
  ) {
    this.properties = new Set([property]);
  }

  static one(c: ConsumingStrategy): Quantifier {
    return new Quantifier(c, 'SINGLE');
  }
  static looping(c: ConsumingStrategy): Quantifier {
    return new Quantifier(c, 'LOOPING');
  }
  static times(c: ConsumingStrategy): Quantifier {
    return new Quantifier(c, 'TIMES');
  }

  has(p: QuantifierProperty): boolean {
    return this.properties.has(p);
  }

  combinations(): void {
    check(!this.has('SINGLE'), `Combinations not applicable to ${this}!`);
    check(this.innerConsumingStrategy !== 'STRICT', 'You can apply either combinations or consecutive, not both!');
    check(this.innerConsumingStrategy !== 'SKIP_TILL_ANY', 'Combinations already applied!');
    this.innerConsumingStrategy = 'SKIP_TILL_ANY';
  }

  consecutive(): void {
    check(this.has('LOOPING') || this.has('TIMES'), `Consecutive not applicable to ${this}!`);
    check(this.innerConsumingStrategy !== 'SKIP_TILL_ANY', 'You can apply either combinations or consecutive, not both!');
    check(this.innerConsumingStrategy !== 'STRICT', 'Consecutive already applied!');
    this.innerConsumingStrategy = 'STRICT';
  }

  optional(): void {
    check(!this.has('OPTIONAL'), 'Optional already applied!');
    check(this.consumingStrategy !== 'NOT_NEXT' && this.consumingStrategy !== 'NOT_FOLLOW', 'NOT pattern cannot be optional');
    this.properties.add('OPTIONAL');
  }

  greedy(): void {
    check(this.innerConsumingStrategy !== 'SKIP_TILL_ANY', 'Option not applicable to FollowedByAny pattern');
    check(!this.has('SINGLE'), 'Option not applicable to singleton quantifier');
    this.properties.add('GREEDY');
  }

  toString(): string {
    return `Quantifier{properties=[${[...this.properties].join(', ')}], consumingStrategy=${this.consumingStrategy}, innerConsumingStrategy=${this.innerConsumingStrategy}}`;
  }
}

/** Repetition bounds of a times/looping step, with the optional window between consecutive events. */
export class Times {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly windowMs: number | undefined,
  ) {
    if (!(from > 0)) throw new MalformedPatternError('The from should be a positive number greater than 0.');
    if (!(to >= from)) throw new MalformedPatternError(`The to should be a number greater than or equal to from: ${from}.`);
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new MalformedPatternError(message);
}
