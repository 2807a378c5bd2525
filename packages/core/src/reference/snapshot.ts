import type { ComputationState } from './computation-state.js';
import type { NFA } from './nfa.js';
import { NFAState } from './nfa.js';
import { addEdge, attachNode, edgesOf, type BufferEdge, type BufferNode, type EventEntry } from './shared-buffer.js';

/**
 * Plain-data form of one key's matching state: the shared buffer as indexed tables (events,
 * nodes with versioned edges and reference counts) and the runs pointing into them.
 */
export interface NFAStateSnapshot {
  /** [timestamp, id, refs, event] */
  readonly events: [number, number, number, unknown][];
  /** [event index, pattern name, refs, edges: [target node index or -1, dewey digits, refs][]] */
  readonly nodes: [number, string, number, [number, number[], number][]][];
  readonly partial: RunSnapshot[];
  readonly completed: RunSnapshot[] | null;
  /** Events registered per timestamp: [timestamp, count] */
  readonly counts: [number, number][];
}

/** [state name, dewey digits, node index or -1, start ts, previous ts, start event index or -1] */
export type RunSnapshot = [string, number[], number, number, number, number];

export function snapshotNFAState<E>(s: NFAState<E>): NFAStateSnapshot {
  const eventIndex = new Map<EventEntry<E>, number>();
  const nodeIndex = new Map<BufferNode<E>, number>();
  const events: NFAStateSnapshot['events'] = [];
  const nodes: BufferNode<E>[] = [];
  const addEvent = (e: EventEntry<E>): number => {
    let i = eventIndex.get(e);
    if (i === undefined) {
      eventIndex.set(e, (i = events.length));
      events.push([e.timestamp, e.id, e.refs, e.event]);
    }
    return i;
  };
  // collect every node reachable from the runs (the live part of the buffer)
  const visit = (n: BufferNode<E> | null): void => {
    const stack = n === null ? [] : [n];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (nodeIndex.has(cur)) continue;
      nodeIndex.set(cur, nodes.length);
      nodes.push(cur);
      for (const edge of edgesOf(cur)) if (edge.target !== null) stack.push(edge.target);
    }
  };
  const runs = [...s.partial, ...(s.completed ?? [])];
  for (const cs of runs) visit(cs.entry);
  const nodeRows = nodes.map((n) => {
    const edges = edgesOf(n).map((e): [number, number[], number] => [e.target === null ? -1 : nodeIndex.get(e.target)!, [...e.version], e.refs]);
    return [addEvent(n.entry), n.page, n.refs, edges] as [number, string, number, [number, number[], number][]];
  });
  const run = (cs: ComputationState<E>): RunSnapshot => [
    cs.state.name,
    [...cs.version],
    cs.entry === null ? -1 : nodeIndex.get(cs.entry)!,
    cs.startTs,
    cs.prevTs,
    cs.startEvent === null ? -1 : addEvent(cs.startEvent),
  ];
  return {
    events,
    nodes: nodeRows,
    partial: s.partial.map(run),
    completed: s.completed === null ? null : s.completed.map(run),
    counts: s.buffer.counts,
  };
}

export function restoreNFAState<E>(data: NFAStateSnapshot, nfa: NFA<E>): NFAState<E> {
  if (!Array.isArray(data?.partial)) throw new TypeError('restore: the key state was not taken from this pattern (was the pattern changed?)');
  const states = new Map(nfa.compiled.states.map((st) => [st.name, st]));
  const s = new NFAState<E>();
  const events: EventEntry<E>[] = data.events.map(([timestamp, id, refs, event]) => ({ event: event as E, timestamp, id, refs, node: null, moreNodes: null }));
  const nodes: BufferNode<E>[] = data.nodes.map(([ev, page, refs]) => {
    const entry = events[ev];
    const node: BufferNode<E> = { entry, page, refs, removed: false, edge0Target: null, edge0Version: null, edge0Refs: 0, moreEdges: null, byRoot: null };
    attachNode(entry, node);
    return node;
  });
  data.nodes.forEach(([, , , edges], i) => {
    for (const [target, version, refs] of edges) addEdge(nodes[i], { target: target < 0 ? null : nodes[target], version, refs } as BufferEdge<E>);
  });
  const run = ([name, version, node, startTs, prevTs, startEvent]: RunSnapshot): ComputationState<E> => {
    const state = states.get(name);
    if (state === undefined) throw new TypeError(`restore: state '${name}' does not exist in the compiled pattern (was the pattern changed?)`);
    if (node < 0 && startEvent < 0 && state === nfa.startState) return nfa.startRun(version);
    return { state, version, entry: node < 0 ? null : nodes[node], startTs, prevTs, startEvent: startEvent < 0 ? null : events[startEvent] };
  };
  s.partial = data.partial.map(run);
  s.completed = data.completed === null ? null : data.completed.map(run);
  s.buffer.liveEvents = events.length;
  s.buffer.liveNodes = nodes.length;
  s.buffer.counts = data.counts;
  nfa.refresh(s);
  return s;
}
