import type { NFAStateSnapshot, RunSnapshot as SharedRunSnapshot } from '../../reference/snapshot.js';
import type { CompiledNFA } from '../compiler/nfa-compiler.js';
import { isCompatible } from '../dewey-number.js';
import { isSorted, pathNode, PathState, runWithoutEvents, type PathNode, type PathRun } from './path-state.js';

/** Plain-data form of one key's PathNFA state: the runs' path nodes, shared as in memory, and the runs. */
export interface PathStateSnapshot {
  readonly kind: 'path';
  /** [timestamp, id, pattern name, event, previous node's index or -1]; a node comes after its previous one. */
  readonly nodes: [number, number, string, unknown, number][];
  readonly runs: RunSnapshot[];
  readonly completed: RunSnapshot[] | null;
}

/** [state name, path node index or -1, first event's node index or -1, previous event's time] */
type RunSnapshot = [string, number, number, number];

export function snapshotPathState<E>(s: PathState<E>): PathStateSnapshot {
  const index = new Map<PathNode<E>, number>();
  const nodes: PathStateSnapshot['nodes'] = [];
  const add = (node: PathNode<E> | null): number => {
    // the nodes not yet written, newest first, then written oldest first (no recursion: a loop can
    // take thousands of events)
    const pending: PathNode<E>[] = [];
    let n = node;
    while (n !== null && !index.has(n)) {
      pending.push(n);
      n = n.prev;
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i];
      index.set(p, nodes.length);
      nodes.push([p.timestamp, p.id, p.name, p.event, p.prev === null ? -1 : index.get(p.prev)!]);
    }
    return node === null ? -1 : index.get(node)!;
  };
  const run = (r: PathRun<E>): RunSnapshot => [r.state.name, add(r.path), add(r.start), r.prevTs];
  return { kind: 'path', runs: s.runs.map(run), completed: s.completed === null ? null : s.completed.map(run), nodes };
}

export function restorePathState<E>(data: unknown, compiled: CompiledNFA<E>, startRun: PathRun<E>): PathState<E> {
  const d = data as PathStateSnapshot;
  // snapshot version 1 kept these key states in the shared-buffer NFA's form
  if (Array.isArray((data as NFAStateSnapshot | undefined)?.partial)) return fromSharedBuffer(data as NFAStateSnapshot, compiled, startRun);
  if (d?.kind !== 'path' || !Array.isArray(d.nodes) || !Array.isArray(d.runs)) throw misfit();
  const nodes: PathNode<E>[] = [];
  for (const [timestamp, id, name, event, prev] of d.nodes) {
    if (!(prev < nodes.length) || !compiled.patternNames.includes(name)) throw misfit();
    nodes.push(pathNode(event as E, timestamp, id, name, prev < 0 ? null : nodes[prev]));
  }
  const states = new Map(compiled.states.map((st) => [st.name, st]));
  const run = ([stateName, path, start, prevTs]: RunSnapshot): PathRun<E> => {
    const state = states.get(stateName);
    if (state === undefined || !(path < nodes.length) || !(start < nodes.length)) throw misfit();
    if (state === startRun.state && path < 0) return startRun;
    return { state, path: path < 0 ? null : nodes[path], start: start < 0 ? null : nodes[start], prevTs };
  };
  const s = new PathState<E>(startRun);
  s.runs = d.runs.map(run);
  s.completed = d.completed === null ? null : d.completed.map(run);
  return finish(s, nodes);
}

function finish<E>(s: PathState<E>, nodes: readonly PathNode<E>[]): PathState<E> {
  s.sorted = isSorted(s.runs);
  for (const n of nodes) if (n.timestamp > s.lastTs) s.lastTs = n.timestamp;
  return s;
}

/**
 * A key state in the shared-buffer NFA's form (snapshot version 1), as a PathState: each run's path
 * is what the buffer's extraction finds for its version (from the run's node back, the newest edge
 * whose version is compatible), read from the snapshot's tables without building the buffer.
 */
function fromSharedBuffer<E>(data: NFAStateSnapshot, compiled: CompiledNFA<E>, startRun: PathRun<E>): PathState<E> {
  const states = new Map(compiled.states.map((st) => [st.name, st]));
  const made: PathNode<E>[] = [];
  const run = ([stateName, version, node, , prevTs]: SharedRunSnapshot): PathRun<E> => {
    const state = states.get(stateName);
    if (state === undefined || !Array.isArray(data.nodes) || !Array.isArray(data.events)) throw misfit();
    if (node < 0) return runWithoutEvents(state, startRun);
    const walk: number[] = [];
    for (let cur = node, v = version; cur >= 0; ) {
      const row = data.nodes[cur];
      if (row === undefined || walk.length > data.nodes.length) throw misfit();
      walk.push(cur);
      const edges = row[3];
      let e = edges.length - 1;
      while (e >= 0 && !isCompatible(v, edges[e][1])) e--;
      if (e < 0) throw misfit(); // a broken chain: no snapshot of a live run has one
      [cur, v] = [edges[e][0], edges[e][1]];
    }
    let path: PathNode<E> | null = null;
    for (let i = walk.length - 1; i >= 0; i--) {
      const [eventIndex, name] = data.nodes[walk[i]];
      const [timestamp, id, , event] = data.events[eventIndex] ?? [];
      path = pathNode(event as E, timestamp, id, name, path);
      made.push(path);
    }
    let start = path;
    while (start!.prev !== null) start = start!.prev;
    return { state, path, start, prevTs };
  };
  const s = new PathState<E>(startRun);
  s.runs = data.partial.map(run);
  s.completed = data.completed === null ? null : data.completed.map(run);
  return finish(s, made);
}

const misfit = () => new TypeError('restore: the key state was not taken from this pattern (was the pattern changed?)');
