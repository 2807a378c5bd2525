import type { ConditionContext } from '../../pattern/conditions.js';
import { CepRuntimeError } from '../../pattern/errors.js';
import type { AfterMatchSkipStrategy } from '../after-match/skip-strategy.js';
import type { CompiledNFA } from '../compiler/nfa-compiler.js';
import type { Match, Matcher, TimedOutMatch } from '../matcher.js';
import type { ChainShape } from './chain-shape.js';
import { restoreChainState, snapshotChainState, type ChainStateSnapshot } from './chain-snapshot.js';
import { ChainState, Run } from './chain-state.js';

/**
 * The runtime for chain-shaped NFAs (see chainShape). It produces exactly what `NFA` produces for
 * the same pattern (a differential property test holds it to that) with a fraction of the work:
 * no shared buffer, no Dewey versions and no heap, because a chain never branches. A run is its
 * list of events; runs stay sorted by start event, which is the order Flink emits and times them
 * out in.
 */
export class ChainNFA<E> implements Matcher<E, ChainState<E>> {
  readonly windowMs: number;
  private readonly skip: AfterMatchSkipStrategy;
  private readonly isSkip: boolean;
  private readonly takes: ChainShape<E>['takes'];
  private readonly relaxed: readonly boolean[];
  private readonly names: readonly string[];
  private readonly length: number;
  /** The stages of each pattern name, names in order of first appearance (a group quantifier repeats names). */
  private readonly groups: readonly (readonly [string, readonly number[]])[];
  private readonly ctx = new ChainContext<E>(this);

  constructor(
    readonly compiled: CompiledNFA<E>,
    shape: ChainShape<E>,
  ) {
    this.windowMs = compiled.windowMs;
    this.skip = compiled.skipStrategy;
    this.isSkip = this.skip.isSkipStrategy();
    this.takes = shape.takes;
    this.relaxed = shape.relaxed;
    this.names = shape.names;
    this.length = shape.takes.length;
    const groups = new Map<string, number[]>();
    shape.names.forEach((name, i) => {
      const stages = groups.get(name);
      if (stages === undefined) groups.set(name, [i]);
      else stages.push(i);
    });
    this.groups = [...groups];
  }

  createState(): ChainState<E> {
    return new ChainState<E>();
  }

  ignoredByNewRun(event: E, timestamp: number): boolean {
    return !this.test(0, event, timestamp, null);
  }

  process(s: ChainState<E>, event: E, timestamp: number, out: Match<E>[] = []): Match<E>[] {
    const ord = s.ord++;
    const runs = s.runs;
    const n = runs.length;
    const last = this.length - 1;
    let done: Run<E>[] | null = null;
    let changed = false;
    let kept = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        const run = runs[i];
        const stage = run.events.length;
        if (this.test(stage, event, timestamp, run)) {
          run.events.push(event);
          run.marks?.push(timestamp, ord);
          changed = true;
          if (stage === last) {
            (done ??= []).push(run);
            continue;
          }
        } else if (!this.relaxed[stage]) {
          changed = true; // strict contiguity broken: the run ends
          continue;
        }
        runs[kept++] = run;
      }
    } finally {
      // a throwing condition leaves the runs not yet visited in place
      if (kept !== i) for (; i < n; i++) runs[kept++] = runs[i];
      runs.length = kept;
    }
    if (this.test(0, event, timestamp, null)) {
      const run = new Run(timestamp, ord, [event], this.isSkip ? [timestamp, ord] : null);
      if (last === 0) insertByStart((done ??= []), run);
      else insertByStart(runs, run);
      changed = true;
    }
    if (changed) {
      if (done !== null || s.completed !== null) this.emit(s, done, out);
      this.refresh(s);
    }
    return out;
  }

  advanceTime(s: ChainState<E>, timestamp: number, out: Match<E>[] = [], timedOut?: TimedOutMatch<E>[]): void {
    if (timestamp < s.deadline && s.completed === null) return;
    const runs = s.runs;
    const windowMs = this.windowMs;
    let expired = 0;
    // runs are sorted by start time, so the timed-out ones are a prefix
    if (windowMs > 0) while (expired < runs.length && timestamp - runs[expired].startTs >= windowMs) expired++;
    if (expired > 0) {
      if (timedOut !== undefined) for (let i = 0; i < expired; i++) timedOut.push({ match: this.materialize(runs[i]), timestamp: runs[i].startTs + windowMs });
      runs.splice(0, expired);
    }
    if (expired > 0 || s.completed !== null) {
      this.emit(s, null, out);
      this.refresh(s);
    }
  }

  snapshotState(s: ChainState<E>): ChainStateSnapshot {
    return snapshotChainState(s);
  }

  restoreState(data: unknown): ChainState<E> {
    const s = restoreChainState<E>(data, this.length, this.isSkip);
    this.refresh(s);
    return s;
  }

  /** Recomputes the deadline after the runs changed. */
  private refresh(s: ChainState<E>): void {
    s.changed = true;
    s.deadline = this.windowMs > 0 && s.runs.length > 0 ? s.runs[0].startTs + this.windowMs : Infinity;
  }

  /**
   * Emits completed runs in start order. With a skip strategy a match waits while an earlier-started
   * run is still in progress, and each emitted match prunes the runs it makes obsolete (as NFA does).
   */
  private emit(s: ChainState<E>, done: Run<E>[] | null, out: Match<E>[]): void {
    let completed = s.completed;
    if (done !== null) {
      if (completed === null) completed = done;
      else for (const r of done) insertByStart(completed, r);
    }
    if (completed === null) return;
    if (!this.isSkip) {
      for (const r of completed) out.push(this.materialize(r));
      s.completed = null;
      return;
    }
    while (completed.length > 0) {
      const earliest: Run<E> = completed[0];
      if (s.runs.length > 0 && compareStarts(earliest, s.runs[0]) > 0) break;
      completed.shift();
      const pruning = this.pruningEvent(earliest.marks!);
      if (pruning >= 0) {
        const marks: number[] = earliest.marks!;
        const ts: number = marks[pruning];
        const ord: number = marks[pruning + 1];
        const inclusive = this.skip.kind === 'SKIP_PAST_LAST_EVENT' || this.skip.kind === 'SKIP_TO_NEXT';
        const keep = (r: Run<E>): boolean => {
          const c: number = r.startTs !== ts ? r.startTs - ts : r.startOrd - ord;
          return inclusive ? c > 0 : c >= 0;
        };
        s.runs = s.runs.filter(keep);
        completed = completed.filter(keep);
      }
      out.push(this.materialize(earliest));
    }
    s.completed = completed.length > 0 ? completed : null;
  }

  /** Index into `marks` of the event at or before which runs are pruned (see AfterMatchSkipStrategy), -1 for none. */
  private pruningEvent(marks: number[]): number {
    const skip = this.skip;
    let at = -1;
    switch (skip.kind) {
      case 'SKIP_PAST_LAST_EVENT':
        for (let i = 0; i < marks.length; i += 2) if (at < 0 || compareMarks(marks, i, at) > 0) at = i;
        return at;
      case 'SKIP_TO_NEXT':
        for (const [, stages] of this.groups) if (at < 0 || compareMarks(marks, 2 * stages[0], at) < 0) at = 2 * stages[0];
        return at;
      default: {
        const group = this.groups.find((g) => g[0] === skip.patternName);
        if (group === undefined) {
          if (skip.throwOnMiss) throw new CepRuntimeError(`Could not skip to ${skip.patternName}. No such element in the found match ${this.describe(marks)}`);
          return -1;
        }
        const stages = group[1];
        at = 2 * (skip.kind === 'SKIP_TO_FIRST' ? stages[0] : stages[stages.length - 1]);
        if (skip.throwOnMiss) {
          let start = 0;
          for (let i = 2; i < marks.length; i += 2) if (compareMarks(marks, i, start) < 0) start = i;
          if (start === at) throw new CepRuntimeError('Could not skip to first element of a match.');
        }
        return at;
      }
    }
  }

  private describe(marks: number[]): string {
    const parts = this.groups.map(([name, stages]) => `${name}=[${stages.map((i) => `${marks[2 * i]}:${marks[2 * i + 1]}`).join(', ')}]`);
    return `{${parts.join(', ')}}`;
  }

  /** The run's events by pattern name, in pattern order. */
  materialize(run: Run<E>): Match<E> {
    const out: Match<E> = new Map();
    const events = run.events;
    for (const [name, stages] of this.groups) {
      if (stages[0] >= events.length) break;
      out.set(name, pick(events, stages));
    }
    return out;
  }

  /** Events the run has taken for `name` (ConditionContext.getEventsForPattern). */
  eventsFor(run: Run<E> | null, name: string): E[] {
    if (run === null) return [];
    const group = this.groups.find((g) => g[0] === name);
    return group === undefined ? [] : pick(run.events, group[1]);
  }

  private test(stage: number, event: E, timestamp: number, run: Run<E> | null): boolean {
    const ctx = this.ctx;
    ctx.run = run;
    ctx.ts = timestamp;
    try {
      return !!this.takes[stage](event, ctx);
    } catch (e) {
      throw new CepRuntimeError(`Failure happened in filter function of '${this.names[stage]}': ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }
}

class ChainContext<E> implements ConditionContext<E> {
  run: Run<E> | null = null;
  ts = 0;
  constructor(private readonly nfa: ChainNFA<E>) {}
  getEventsForPattern(name: string): Iterable<E> {
    return this.nfa.eventsFor(this.run, name);
  }
  timestamp(): number {
    return this.ts;
  }
}

/** The events at the given stages, up to the stage the run has reached. */
function pick<E>(events: E[], stages: readonly number[]): E[] {
  const out: E[] = [];
  for (let i = 0; i < stages.length && stages[i] < events.length; i++) out.push(events[stages[i]]);
  return out;
}

function compareStarts(a: Run<unknown>, b: Run<unknown>): number {
  return a.startTs !== b.startTs ? (a.startTs < b.startTs ? -1 : 1) : a.startOrd - b.startOrd;
}

function compareMarks(marks: number[], i: number, j: number): number {
  return marks[i] !== marks[j] ? (marks[i] < marks[j] ? -1 : 1) : marks[i + 1] - marks[j + 1];
}

/** Inserts in start order; runs usually start in order, so this is normally a push. */
function insertByStart<E>(runs: Run<E>[], run: Run<E>): void {
  let i = runs.length;
  while (i > 0 && compareStarts(runs[i - 1], run) > 0) i--;
  runs.splice(i, 0, run);
}
