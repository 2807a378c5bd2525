import type { KeyState } from '../matcher.js';
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
}

/** One run (Flink's ComputationState): its state, its path and the first event of its path. */
export interface PathRun<E> {
  readonly state: State<E>;
  readonly path: PathNode<E> | null;
  /** The run's first event (null: a run in the start state, which has taken none). */
  readonly start: PathNode<E> | null;
  /** Time of the run's latest event, -1 for the start state (loop windows). */
  readonly prevTs: number;
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
  deadline = Infinity;
  /** Bit i set: some run is in state i (0 when the NFA has too many states to track). */
  occupied = 0;
  changed = false;
  key: unknown = undefined;
  seq = 0;
  scheduled = Infinity;

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
  const x = a.start;
  const y = b.start;
  if (x === null) return y === null ? 0 : 1;
  if (y === null) return -1;
  return x.timestamp !== y.timestamp ? (x.timestamp < y.timestamp ? -1 : 1) : x.id - y.id;
}

/** The run's events by pattern name, in pattern order (names in order of their first event). */
export function pathMatch<E, T>(path: PathNode<E> | null, pick: (node: PathNode<E>) => T): Map<string, T[]> {
  const nodes: PathNode<E>[] = [];
  for (let n = path; n !== null; n = n.prev) nodes.push(n);
  const match = new Map<string, T[]>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const list = match.get(n.name);
    if (list === undefined) match.set(n.name, [pick(n)]);
    else list.push(pick(n));
  }
  return match;
}
