import type { KeyState } from '../matcher.js';
import { compareStarts } from '../event-order.js';
import type { State } from '../state.js';

/**
 * One event a run took, linked to the one it took before: a run's path is a persistent list,
 * newest first, whose older part is shared by the runs that branched from it. Memory is released
 * by the garbage collector once no run reaches a node.
 */
export interface PathNode<E> {
  readonly event: E;
  /** The event's time and arrival order (ordering events, as Flink's EventId does). */
  readonly timestamp: number;
  readonly id: number;
  /** The pattern name the event was taken for. */
  readonly name: string;
  readonly prev: PathNode<E> | null;
  /** How many nodes up to this one, this one included, were taken for the same name in a row. */
  readonly span: number;
}

/** The node for an event taken after `prev`. */
export function pathNode<E>(event: E, timestamp: number, id: number, name: string, prev: PathNode<E> | null): PathNode<E> {
  return { event, timestamp, id, name, prev, span: prev !== null && prev.name === name ? prev.span + 1 : 1 };
}

/**
 * One run (Flink's ComputationState): its state, its path and the first event of its path. Only
 * the state that holds a run changes it: a step that makes exactly one run of it moves it in place.
 */
export interface PathRun<E> {
  state: State<E>;
  path: PathNode<E> | null;
  /** The run's first event (null: a run in the start state, which has taken none). */
  readonly start: PathNode<E> | null;
  /** Time of the run's latest event, -1 for the start state (loop windows). */
  prevTs: number;
}

/** The run in `state` that has taken no events: the NFA's own start run (shared) when it is in that state. */
export function runWithoutEvents<E>(state: State<E>, startRun: PathRun<E>): PathRun<E> {
  return state === startRun.state ? startRun : { state, path: null, start: null, prevTs: -1 };
}

/** The matching state of one key for a PathNFA. */
export class PathState<E> implements KeyState {
  /**
   * Runs waiting for events, in Flink's order: java.util.PriorityQueue's array order, which for
   * these runs is the order of their first events, ties in the order they were made (see PathNFA).
   */
  runs: PathRun<E>[];
  /** Completed runs waiting to be emitted (skip strategies emit in start order), as a heap array. */
  completed: PathRun<E>[] | null = null;
  /**
   * `runs` is sorted by first event, ties in the order the runs were made, and no event processed
   * so far is later than `lastTs`: then an event at lastTs or later keeps it sorted (see PathNFA).
   */
  sorted = true;
  lastTs = -Infinity;
  /** Bit i set: some run is in state i (0 when the NFA has too many states to track). */
  occupied = 0;
  deadline = Infinity;
  changed = false;

  constructor(start: PathRun<E>) {
    this.runs = [start];
  }

  isIdle(): boolean {
    if (this.completed !== null) return false;
    for (let i = 0; i < this.runs.length; i++) if (this.runs[i].start !== null) return false;
    return true;
  }
}

/** Runs that started earlier come first; runs that have not started (start states) last. */
export function compareRuns(a: PathRun<any>, b: PathRun<any>): number {
  return compareStarts(a.start, b.start);
}

/** Whether the runs are in non-decreasing order of first event. */
export function isSorted(runs: readonly PathRun<any>[]): boolean {
  for (let i = 1; i < runs.length; i++) if (compareRuns(runs[i - 1], runs[i]) > 0) return false;
  return true;
}

/**
 * The run's events by pattern name, in pattern order (names in order of their first event). A
 * name's events are usually consecutive (a loop takes them in a row): the path is read once, a
 * span of one name at a time, each into a list of its exact length.
 */
export function pathEvents<E>(path: PathNode<E> | null): Map<string, E[]> {
  const match = new Map<string, E[]>();
  return path === null || spansInto(match, path, 0) ? match : scattered(path);
}

/**
 * Puts the span that ends at `n` and the spans before it into `match`, oldest first (the older
 * ones by recursion, at most MAX_SPANS deep); false when a name has two spans (or too many spans).
 */
function spansInto<E>(match: Map<string, E[]>, n: PathNode<E>, depth: number): boolean {
  const name = n.name;
  const list = new Array<E>(n.span);
  let at: PathNode<E> | null = n;
  for (let j = list.length - 1; j >= 0; j--, at = at!.prev) list[j] = at!.event;
  if (at !== null && (depth === MAX_SPANS || !spansInto(match, at, depth + 1))) return false;
  const size = match.size;
  match.set(name, list);
  return match.size > size; // else the name was there already
}

const MAX_SPANS = 32;

/** pathEvents for a path whose names are not in consecutive spans (a group pattern's loop). */
function scattered<E>(path: PathNode<E> | null): Map<string, E[]> {
  return byName(path, (n) => n.event);
}

/** The run's path nodes by pattern name, in pattern order (what skip strategies compare). */
export function pathNodes<E>(path: PathNode<E> | null): Map<string, PathNode<E>[]> {
  return byName(path, (n) => n);
}

/** What `pick` reads off each node of the path, by pattern name, names in order of their first node. */
function byName<E, T>(path: PathNode<E> | null, pick: (n: PathNode<E>) => T): Map<string, T[]> {
  const match = new Map<string, T[]>();
  for (const n of oldestFirst(path)) {
    const list = match.get(n.name);
    if (list === undefined) match.set(n.name, [pick(n)]);
    else list.push(pick(n));
  }
  return match;
}

function oldestFirst<E>(path: PathNode<E> | null): PathNode<E>[] {
  let length = 0;
  for (let n = path; n !== null; n = n.prev) length++;
  const nodes = new Array<PathNode<E>>(length);
  for (let n = path; n !== null; n = n.prev) nodes[--length] = n;
  return nodes;
}
