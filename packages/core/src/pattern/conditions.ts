/**
 * Conditions are plain functions `(event, ctx) => boolean`. `ctx` gives access to the
 * events already accepted by the current partial match (Flink's IterativeCondition.Context).
 */
export interface ConditionContext<E> {
  /** Events already taken for `name` in the current partial match, in match order. */
  getEventsForPattern(name: string): Iterable<E>;
  /** Timestamp of the event being evaluated. */
  timestamp(): number;
}

export type Condition<E> = (event: E, ctx: ConditionContext<E>) => boolean;

/** The always-true condition; compared by identity so the NFA can skip calling it. */
export const TRUE: Condition<any> = () => true;

export function and<E>(a: Condition<E>, b: Condition<E>): Condition<E> {
  if (a === TRUE) return b;
  if (b === TRUE) return a;
  return (e, ctx) => a(e, ctx) && b(e, ctx);
}

export function or<E>(a: Condition<E>, b: Condition<E>): Condition<E> {
  return (e, ctx) => a(e, ctx) || b(e, ctx);
}

export function not<E>(a: Condition<E>): Condition<E> {
  const c: Condition<E> = (e, ctx) => !a(e, ctx);
  negations.set(c, a);
  return c;
}

/** Conditions made by `not`, mapped to what they negate: lets the NFA see that take and ignore exclude each other. */
const negations = new WeakMap<Condition<any>, Condition<any>>();

/** The condition `c` negates, when `c` was made by `not`. */
export function negated<E>(c: Condition<E>): Condition<E> | undefined {
  return negations.get(c);
}
