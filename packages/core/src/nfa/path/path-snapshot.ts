import { restoreNFAState, type NFAStateSnapshot } from '../../state/snapshot.js';
import type { CompiledNFA } from '../compiler/nfa-compiler.js';
import type { ComputationState } from '../computation-state.js';
import { NFA, type NFAState } from '../nfa.js';
import { compareEvents, type EventEntry } from '../shared-buffer/shared-buffer.js';
import { isSorted, PathState, type PathNode, type PathRun } from './path-state.js';

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
    if (node === null) return -1;
    const known = index.get(node);
    if (known !== undefined) return known;
    const prev = add(node.prev); // recursion depth is the path's length: paths are short
    index.set(node, nodes.length);
    nodes.push([node.timestamp, node.id, node.name, node.event, prev]);
    return nodes.length - 1;
  };
  const run = (r: PathRun<E>): RunSnapshot => [r.state.name, add(r.path), add(r.start), r.prevTs];
  return { kind: 'path', runs: s.runs.map(run), completed: s.completed === null ? null : s.completed.map(run), nodes };
}

export function restorePathState<E>(data: unknown, compiled: CompiledNFA<E>, startRun: PathRun<E>): PathState<E> {
  const d = data as PathStateSnapshot;
  const misfit = () => new TypeError('restore: the key state was not taken from this pattern (was the pattern changed?)');
  // snapshot version 1 kept these key states in the shared-buffer NFA's form
  if (Array.isArray((data as NFAStateSnapshot | undefined)?.partial)) return fromSharedBuffer(data as NFAStateSnapshot, compiled, startRun);
  if (d?.kind !== 'path' || !Array.isArray(d.nodes) || !Array.isArray(d.runs)) throw misfit();
  const nodes: PathNode<E>[] = [];
  for (const [timestamp, id, name, event, prev] of d.nodes) {
    if (!(prev < nodes.length) || !compiled.patternNames.includes(name)) throw misfit();
    nodes.push({ event: event as E, timestamp, id, name, prev: prev < 0 ? null : nodes[prev] });
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
 * A key state in the shared-buffer NFA's form, as a PathState: each run's path is what the
 * buffer's extraction gives for its version, its events in the order they were taken.
 */
function fromSharedBuffer<E>(data: NFAStateSnapshot, compiled: CompiledNFA<E>, startRun: PathRun<E>): PathState<E> {
  const shared: NFAState<E> = restoreNFAState(data, new NFA(compiled));
  const nodes: PathNode<E>[] = [];
  const run = (cs: ComputationState<E>): PathRun<E> => {
    if (cs.entry === null) return cs.state === startRun.state ? startRun : { state: cs.state, path: null, start: null, prevTs: -1 };
    const taken: [string, EventEntry<E>][] = [];
    for (const [name, entries] of shared.extractPath(cs.entry, cs.version) ?? []) for (const e of entries) taken.push([name, e]);
    taken.sort((a, b) => compareEvents(a[1], b[1]));
    let path: PathNode<E> | null = null;
    let start: PathNode<E> | null = null;
    for (const [name, e] of taken) {
      path = { event: e.event, timestamp: e.timestamp, id: e.id, name, prev: path };
      start ??= path;
      nodes.push(path);
    }
    return { state: cs.state, path, start, prevTs: cs.prevTs };
  };
  const s = new PathState<E>(startRun);
  s.runs = shared.partial.map(run);
  s.completed = shared.completed === null ? null : shared.completed.map(run);
  return finish(s, nodes);
}
