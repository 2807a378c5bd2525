import { negated, type Condition, type ConditionContext } from '../pattern/conditions.js';
import { fieldTestOf, type FieldTest, type FieldValue } from '../pattern/field-test.js';

/** A condition's verdict on the current event, the same for every run. */
export const FALSE = 1;
export const TRUE = 2;
/** The condition read the run's events through ctx, or threw: it is decided run by run (which raises the error). */
export const RUN_SPECIFIC = 3;

/**
 * The verdicts of a runtime's distinct conditions on the current event, each worked out at most
 * once per event: conditions are functions of (event, ctx), so unless one reads the run's events
 * it answers the same for every run, and the operator asks irrelevant, ignoredByNewRun and process
 * about the same event. A condition is called with a probing context (no run behind it); a
 * negation made by `not()` whose operand is among the conditions is read off the operand's verdict.
 */
export class Verdicts<E> {
  /** Increases with each new event (1 again after wrapping): verdicts of other generations are forgotten. */
  generation = 0;
  /** Per condition, the index of the condition it negates (made by `not`), or -1. */
  readonly negationOf: Int32Array;
  private readonly values: Int8Array;
  /** Per condition, the field test it is (read, not called), or undefined. */
  private readonly tests: (FieldTest | undefined)[];
  /**
   * When every condition that is not a negation is `event[field] === value` on one field: that
   * field, its distinct values, and per condition the index of its value (-1: a negation); the
   * field is then read once per event (see matched). Else null.
   */
  private readonly field: string | null = null;
  readonly fieldValues: readonly FieldValue[] = [];
  /** Per condition, the index in fieldValues of its value (-1: a negation, or no field). */
  readonly valueOf: Int32Array;
  /** The index in fieldValues of the current event's field value; NONE, or UNREAD when the verdicts are decided one by one. */
  matched = UNREAD;
  private readonly seen: Int32Array;
  private readonly probe = new ProbeContext<E>();
  private event: E | undefined = undefined;
  private ts = NaN;

  constructor(private readonly conditions: readonly Condition<E>[]) {
    this.negationOf = Int32Array.from(conditions, (c) => {
      const of = negated(c);
      return of === undefined ? -1 : conditions.indexOf(of);
    });
    this.values = new Int8Array(conditions.length);
    this.tests = conditions.map(fieldTestOf);
    this.valueOf = new Int32Array(conditions.length).fill(-1);
    const base = this.tests.filter((_, c) => this.negationOf[c] < 0);
    const field = base[0]?.field;
    if (field !== undefined && base.every((t) => t !== undefined && t.equal && t.field === field)) {
      const values = [...new Set(base.map((t) => t!.value))];
      this.tests.forEach((t, c) => {
        if (this.negationOf[c] < 0) this.valueOf[c] = values.indexOf(t!.value);
      });
      this.field = field;
      this.fieldValues = values;
    }
    this.seen = new Int32Array(conditions.length);
  }

  /** Moves to `event` at `timestamp`; true when that is a new event (the verdicts were forgotten). */
  see(event: E, timestamp: number): boolean {
    if (event === this.event && timestamp === this.ts) return false;
    this.moveTo(event, timestamp);
    return true;
  }

  private moveTo(event: E, timestamp: number): void {
    this.event = event;
    this.ts = timestamp;
    this.matched = this.field === null || event === ASSUMED ? UNREAD : this.read(event);
    if (++this.generation === 0x7fffffff) {
      this.generation = 1; // wrapped: forget every verdict, so none can pass for the new generation's
      this.seen.fill(0);
    }
  }

  /**
   * Moves to an event that is not a real one, on which conditions `some` (indexes) have the
   * verdicts the bits of `bits` give (bit b set: some[b] holds), and negations of them the
   * opposite: for working out ahead of events what the runtimes do under those verdicts. Returns
   * that event, at timestamp 0, to ask about (no real event is it).
   */
  assume(some: ArrayLike<number>, bits: number): E {
    this.moveTo(ASSUMED as E, 0);
    for (let b = 0; b < some.length; b++) {
      this.values[some[b]] = (bits & (1 << b)) !== 0 ? TRUE : FALSE;
      this.seen[some[b]] = this.generation;
    }
    return ASSUMED as E;
  }

  /** The index in fieldValues of the event's field value, NONE, or UNREAD when the field cannot be read (then the conditions raise it, each for its run). */
  private read(event: E): number {
    if (typeof event !== 'object' || event === null) return UNREAD;
    let v: unknown;
    try {
      v = (event as Record<string, unknown>)[this.field!];
    } catch {
      return UNREAD;
    }
    const values = this.fieldValues;
    for (let i = 0; i < values.length; i++) if (v === values[i]) return i;
    return NONE;
  }

  /**
   * True when the field of the event last seen has none of the values, so that no condition that
   * is not a negation holds (see field); false when some holds, or when that is not known.
   */
  noneHold(): boolean {
    return this.matched === NONE;
  }

  /** Condition c's verdict on the event last seen: FALSE, TRUE or RUN_SPECIFIC. */
  of(c: number): number {
    const value = this.valueOf[c];
    if (value >= 0 && this.matched !== UNREAD) return value === this.matched ? TRUE : FALSE;
    return this.seen[c] === this.generation ? this.values[c] : this.decide(c);
  }

  private decide(c: number): number {
    const operand = this.negationOf[c];
    let v: number;
    if (operand >= 0) {
      const w = this.of(operand);
      v = w === RUN_SPECIFIC ? RUN_SPECIFIC : w === TRUE ? FALSE : TRUE;
    } else {
      const test = this.tests[c];
      const event = this.event;
      const probe = this.probe;
      probe.ts = this.ts;
      try {
        if (test !== undefined && typeof event === 'object' && event !== null) v = ((event as Record<string, unknown>)[test.field] === test.value) === test.equal ? TRUE : FALSE;
        else v = this.conditions[c](event as E, probe) ? TRUE : FALSE;
      } catch {
        v = RUN_SPECIFIC; // raised again by the run's own evaluation, with its context
      }
      if (probe.consulted) {
        probe.consulted = false;
        v = RUN_SPECIFIC;
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

/** The event Verdicts.assume moves to. */
const ASSUMED: unknown = Object.freeze({});

/** A context with no run behind it: it only notes that a condition asked for the run's events. */
class ProbeContext<E> implements ConditionContext<E> {
  /** Set when a condition asks for the run's events; cleared by whoever reads it. */
  consulted = false;
  ts = 0;

  getEventsForPattern(): Iterable<E> {
    this.consulted = true;
    return [];
  }

  timestamp(): number {
    return this.ts;
  }
}
