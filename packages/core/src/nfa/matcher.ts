import type { CompiledNFA } from './compiler/nfa-compiler.js';

/** A complete match: pattern name -> events, in pattern order. */
export type Match<E> = Map<string, E[]>;

/** A partial match dropped by its window, with the time at which its window closed. */
export interface TimedOutMatch<E> {
  readonly match: Match<E>;
  readonly timestamp: number;
}

/**
 * What the operator reads of a runtime's state of one key. The operator keeps its own
 * bookkeeping (the key, its timer) apart; these are the runtime's answers to it.
 */
export interface KeyState {
  /** Earliest time at which a run's window closes (Infinity: none); advanceTime is a no-op before it. */
  deadline: number;
  /** Set whenever the runs change (the deadline may have moved); cleared by whoever schedules timers. */
  changed: boolean;
  /** True when no run has started and nothing is pending. */
  isIdle(): boolean;
}

/**
 * A compiled pattern's runtime: advances one key's state by events and by time. `NFA` (Flink's
 * NFA with a shared buffer, any pattern), `PathNFA` (any pattern, each run with its own path) and
 * `ChainNFA` (patterns whose NFA is a straight chain) implement it; `compile` picks one of the last two.
 */
export interface Matcher<E, S extends KeyState = KeyState> {
  /** The NFA graph it runs. */
  readonly compiled: CompiledNFA<E>;
  /** FIRST_AND_LAST window in ms, 0 when none. */
  readonly windowMs: number;
  /** A fresh state for a new key. */
  createState(): S;
  /** True when time passing can only drop runs: no match ever completes on a timer (see CepOperator's deferred expiry). */
  readonly quietExpiry: boolean;
  /** The runs that have started (partial matches), completed ones held back by a skip strategy included. */
  partialMatches(s: S): number;
  /** The time by which every run the state holds now will have timed out (Infinity: never or none). */
  lastDeadline(s: S): number;
  /** The processing time conditions read (ctx.currentProcessingTime()); the operator sets its own clock. */
  clock: () => number;
  /**
   * Starts the evaluation of one event at `timestamp`: irrelevant, ignoredByNewRun and process
   * answer for this event until the next evaluate, and each condition is evaluated at most once
   * for it (simple ones), or once per run (iterative ones). An event fed again, mutated or not,
   * is evaluated afresh.
   */
  evaluate(event: E, timestamp: number): void;
  /** True when `process` on a fresh state would leave it unchanged: no need to create one. */
  ignoredByNewRun(): boolean;
  /** True when `process` would leave every state unchanged, whatever its runs: no need to find the key's state. */
  irrelevant(): boolean;
  /** Processes the event being evaluated; appends the matches it completed to `out`, in Flink's order. */
  process(s: S, out?: Match<E>[]): Match<E>[];
  /** Time passes `timestamp`: timed-out runs go to `timedOut`, runs that complete on time to `out`. */
  advanceTime(s: S, timestamp: number, out?: Match<E>[], timedOut?: TimedOutMatch<E>[]): void;
  /** The state as plain data (JSON-safe when the events are). */
  snapshotState(s: S): unknown;
  /** A state from `snapshotState`'s data; throws a TypeError when it does not fit this pattern. */
  restoreState(data: unknown): S;
}
