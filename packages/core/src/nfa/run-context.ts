import type { ConditionContext } from '../pattern/conditions.js';

/**
 * The context the runtimes hand to conditions: the events of the run being evaluated, read only
 * when a condition asks, or while probing (no run: conditions are evaluated once for all runs)
 * none, with a note that a condition asked. Each runtime says where a run's events are.
 */
export abstract class RunContext<E> implements ConditionContext<E> {
  /** Set by getEventsForPattern while probing. */
  consulted = false;
  private probing = true;
  private ts = 0;
  private match: Map<string, E[]> | undefined = undefined;

  /** Evaluates for the run the subclass has just been given, at time `ts`. */
  protected forRun(ts: number): this {
    this.ts = ts;
    this.probing = false;
    this.match = undefined;
    return this;
  }

  /** Switches to probing at time `ts`: no run behind the context. */
  probe(ts: number): this {
    this.ts = ts;
    this.probing = true;
    this.consulted = false;
    return this;
  }

  getEventsForPattern(name: string): Iterable<E> {
    if (this.probing) {
      this.consulted = true;
      return [];
    }
    return this.eventsOf(name);
  }

  timestamp(): number {
    return this.ts;
  }

  /** The run's events taken for `name`; by default from its whole match, worked out once (runEvents). */
  protected eventsOf(name: string): Iterable<E> {
    this.match ??= this.runEvents();
    return this.match.get(name) ?? [];
  }

  /** The run's events by pattern name. */
  protected runEvents(): Map<string, E[]> {
    return new Map();
  }
}
