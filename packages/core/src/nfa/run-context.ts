import type { ConditionContext } from '../pattern/conditions.js';

/**
 * The context the runtimes hand to conditions for a run: the events of the run being evaluated,
 * read only when a condition asks. Each runtime says where a run's events are. (Simple
 * conditions, decided once for all runs, get a context without a run: see Verdicts.)
 */
export abstract class RunContext<E> implements ConditionContext<E> {
  private ts = 0;

  constructor(private readonly clock: () => number) {}
  private match: Map<string, E[]> | undefined = undefined;

  /** Evaluates for the run the subclass has just been given, at time `ts`. */
  protected forRun(ts: number): this {
    this.ts = ts;
    this.match = undefined;
    return this;
  }

  getEventsForPattern(name: string): Iterable<E> {
    return this.eventsOf(name);
  }

  timestamp(): number {
    return this.ts;
  }

  currentProcessingTime(): number {
    return this.clock();
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
