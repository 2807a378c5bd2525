import { conditionTest, isIterative, keyFieldOf, valuesOf, type Condition, type ConditionContext, type ConditionNode, type FieldValue } from '../pattern/conditions.js';

/** A condition's verdict on the current event, the same for every run. */
export const FALSE = 1;
export const TRUE = 2;
/** The condition is iterative, or threw: it is decided run by run (which raises the error). */
export const RUN_SPECIFIC = 3;

/**
 * The verdicts of a runtime's distinct conditions on the event being evaluated, each worked out at
 * most once per event (see begin): a simple condition answers the same for every run, an
 * iterative one is RUN_SPECIFIC, and a negation is read off its operand's verdict.
 *
 * When every condition that is not a negation holds only for a few values of one field (`==` or
 * `in`, possibly in a conjunction), that field is read once per event, and a condition whose
 * values do not include the event's is FALSE without evaluating anything else.
 */
export class Verdicts<E> {
  /** Increases with each event begun (1 again after wrapping): verdicts of other generations are forgotten. */
  generation = 0;
  /** Per condition, the index of the condition it negates, or -1. */
  readonly negationOf: Int32Array;
  private readonly values: Int8Array;
  private readonly seen: Int32Array;
  /** The conditions as functions, for the runs that evaluate them one by one. */
  readonly tests: readonly Condition<E>[];
  private readonly iterative: Uint8Array;
  /** The field read once per event (see the class comment), or null. */
  private readonly field: string | null = null;
  readonly fieldValues: readonly FieldValue[] = [];
  /** Per condition, which of fieldValues admit it (null: a negation, or no field). */
  private readonly admits: (Uint8Array | null)[];
  /** Per condition, what must also hold once its value is admitted (undefined: nothing). */
  private readonly rests: (Condition<E> | undefined)[];
  /** The index in fieldValues of the current event's field value; NONE, or UNREAD when the verdicts are decided one by one. */
  matched = UNREAD;
  private readonly probe: ProbeContext<E>;
  private event: E | undefined = undefined;

  constructor(conditions: readonly ConditionNode<E>[], clock: () => number) {
    this.probe = new ProbeContext<E>(clock);
    const n = conditions.length;
    // plain loops: TypedArray.from with a mapping function is slow, and patterns compile often
    this.negationOf = new Int32Array(n);
    this.iterative = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = conditions[i];
      this.negationOf[i] = c.kind === 'not' ? conditions.indexOf(c.operand) : -1;
      this.iterative[i] = isIterative(c) ? 1 : 0;
    }
    this.values = new Int8Array(n);
    this.seen = new Int32Array(n);
    this.tests = conditions.map(conditionTest);
    this.admits = new Array<Uint8Array | null>(n).fill(null);
    this.rests = new Array<Condition<E> | undefined>(n).fill(undefined);
    const firstBase = conditions.findIndex((_, c) => this.negationOf[c] < 0);
    const field = firstBase >= 0 ? keyFieldOf(conditions[firstBase]) : undefined;
    if (field === undefined) return;
    const tests = conditions.map((c, i) => (this.negationOf[i] < 0 ? valuesOf(c, field) : null));
    if (tests.includes(undefined)) return;
    const values = [...new Set(tests.flatMap((t) => t?.values ?? []))];
    for (let i = 0; i < n; i++) {
      const t = tests[i];
      if (t === null || t === undefined) continue;
      const admits = new Uint8Array(values.length);
      for (let v = 0; v < values.length; v++) if (t.values.includes(values[v])) admits[v] = 1;
      this.admits[i] = admits;
      if (t.rest !== undefined) this.rests[i] = conditionTest(t.rest);
    }
    this.field = field;
    this.fieldValues = values;
  }

  /** Starts the evaluation of `event` at `timestamp`: every verdict is worked out afresh. */
  begin(event: E, timestamp: number): void {
    this.event = event;
    this.probe.ts = timestamp;
    this.matched = this.field === null || event === ASSUMED ? UNREAD : this.read(event);
    if (++this.generation === 0x7fffffff) {
      this.generation = 1; // wrapped: forget every verdict, so none can pass for the new generation's
      this.seen.fill(0);
    }
  }

  /**
   * Begins an event that is not a real one, on which conditions `some` (indexes) have the verdicts
   * the bits of `bits` give (bit b set: some[b] holds), and negations of them the opposite: for
   * working out ahead of events what the runtimes do under those verdicts. Returns that event
   * (no real event is it).
   */
  assume(some: ArrayLike<number>, bits: number): E {
    this.begin(ASSUMED as E, 0);
    for (let b = 0; b < some.length; b++) {
      this.values[some[b]] = (bits & (1 << b)) !== 0 ? TRUE : FALSE;
      this.seen[some[b]] = this.generation;
    }
    return ASSUMED as E;
  }

  /** Whether value index `m` (NONE: no value) admits condition c (see admits). */
  admitsValue(c: number, m: number): boolean {
    const a = this.admits[c];
    return a !== null && m >= 0 && a[m] === 1;
  }

  /** Whether condition c has more to evaluate once its value is admitted (see rests). */
  hasRest(c: number): boolean {
    return this.rests[c] !== undefined;
  }

  /** The index in fieldValues of the event's field value, NONE, or UNREAD when reading it threw (then the conditions raise it, each for its run). */
  private read(event: E): number {
    let v: unknown;
    try {
      // a top-level field (see keyFieldOf), read without readField's branch for paths: every event comes here
      v = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[this.field!] : undefined;
    } catch {
      return UNREAD;
    }
    const values = this.fieldValues;
    for (let i = 0; i < values.length; i++) if (v === values[i]) return i;
    return NONE;
  }

  /**
   * True when the field of the event being evaluated has none of the values, so that no condition
   * that is not a negation holds (see field); false when some holds, or when that is not known.
   */
  noneHold(): boolean {
    return this.matched === NONE;
  }

  /** Condition c's verdict on the event being evaluated: FALSE, TRUE or RUN_SPECIFIC. */
  of(c: number): number {
    const admits = this.admits[c];
    const matched = this.matched;
    if (admits !== null && matched !== UNREAD) {
      if (matched === NONE || admits[matched] === 0) return FALSE;
      if (this.rests[c] === undefined) return TRUE;
    }
    return this.seen[c] === this.generation ? this.values[c] : this.decide(c);
  }

  private decide(c: number): number {
    const operand = this.negationOf[c];
    let v: number;
    if (operand >= 0) {
      const w = this.of(operand);
      v = w === RUN_SPECIFIC ? RUN_SPECIFIC : w === TRUE ? FALSE : TRUE;
    } else if (this.iterative[c] === 1) v = RUN_SPECIFIC;
    else {
      // of() only comes here for an admitted value when the condition has a rest to evaluate
      const test = this.admits[c] !== null && this.matched >= 0 ? this.rests[c]! : this.tests[c];
      try {
        v = test(this.event as E, this.probe) ? TRUE : FALSE;
      } catch {
        v = RUN_SPECIFIC; // raised again by the run's own evaluation, with its context
      }
    }
    this.values[c] = v;
    this.seen[c] = this.generation;
    return v;
  }
}

/** Verdicts.matched when no value matches, and when the field was not read. */
export const NONE = -1;
export const UNREAD = -2;

/** The event Verdicts.assume begins. */
const ASSUMED: unknown = Object.freeze({});

/** The context of a simple condition: time, but no partial match. */
class ProbeContext<E> implements ConditionContext<E> {
  ts = 0;

  constructor(private readonly clock: () => number) {}

  getEventsForPattern(): Iterable<E> {
    throw new TypeError('a simple condition cannot read the partial match: declare the ctx parameter, or use iterative(...)');
  }

  timestamp(): number {
    return this.ts;
  }

  currentProcessingTime(): number {
    return this.clock();
  }
}
