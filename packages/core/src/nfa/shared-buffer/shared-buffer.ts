import { isCompatible, type DeweyNumber } from '../dewey-number.js';

/**
 * An event stored once in the shared buffer (Flink's EventId + Lockable<event>).
 * `id` counts the events registered with the same timestamp, so (timestamp, id) orders events.
 */
export interface EventEntry<E = unknown> {
  readonly event: E;
  readonly timestamp: number;
  readonly id: number;
  /** Reference count: the nodes that use it, plus 1 while it is being processed. */
  refs: number;
  /** Nodes of this event, one per pattern name that took it. */
  nodes: BufferNode<E>[] | null;
}

/** An event taken for one pattern name, with versioned edges to the previous node of each run. */
export interface BufferNode<E = unknown> {
  readonly entry: EventEntry<E>;
  readonly page: string;
  refs: number;
  removed: boolean;
  readonly edges: BufferEdge<E>[];
}

export interface BufferEdge<E = unknown> {
  readonly target: BufferNode<E> | null;
  readonly version: DeweyNumber;
  refs: number;
}

/** Orders events by timestamp, then by registration order within a timestamp. */
export function compareEvents(a: EventEntry<any>, b: EventEntry<any>): number {
  return a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.id - b.id;
}

export type EntryMatch<E> = Map<string, EventEntry<E>[]>;

/**
 * Flink's SharedBuffer/SharedBufferAccessor: partial matches share their common prefixes as a
 * DAG of nodes; reference counts release nodes and events as soon as no run uses them.
 */
export class SharedBuffer<E> {
  /** Events registered per timestamp (ids), forgotten once time passes the timestamp. */
  counts: Map<number, number> | null = null;
  /** Smallest timestamp in `counts`, so advanceTime can skip the scan. */
  oldestCount = Infinity;
  liveEvents = 0;
  liveNodes = 0;

  /** Stores an event with one reference held by the caller (released after processing it). */
  registerEvent(event: E, timestamp: number, id = this.nextId(timestamp)): EventEntry<E> {
    this.liveEvents++;
    return { event, timestamp, id, refs: 1, nodes: null };
  }

  private nextId(timestamp: number): number {
    // events come in time order per key: counters of earlier timestamps can no longer be used
    if (timestamp > this.oldestCount) this.advanceTime(timestamp);
    const counts = (this.counts ??= new Map());
    const id = counts.get(timestamp) ?? 0;
    counts.set(timestamp, id + 1);
    if (timestamp < this.oldestCount) this.oldestCount = timestamp;
    return id;
  }

  /** Links `entry` under `page` to `previous` with `version`; reuses the node if the event was already taken for `page`. */
  put(page: string, entry: EventEntry<E>, previous: BufferNode<E> | null, version: DeweyNumber): BufferNode<E> {
    if (previous !== null) this.lockNode(previous, version);
    let node = findNode(entry, page);
    if (node === undefined) {
      node = { entry, page, refs: 0, removed: false, edges: [] };
      (entry.nodes ??= []).push(node);
      entry.refs++;
      this.liveNodes++;
    }
    node.edges.push({ target: previous, version, refs: 0 });
    return node;
  }

  lockNode(node: BufferNode<E> | null, version: DeweyNumber): void {
    if (node === null || node.removed) return;
    node.refs++;
    const edges = node.edges;
    for (let i = 0; i < edges.length; i++) if (isCompatible(version, edges[i].version)) edges[i].refs++;
  }

  /** Drops one reference to `node` (and, transitively, to the edges and nodes only it kept alive). */
  releaseNode(node: BufferNode<E> | null, version: DeweyNumber): void {
    const nodes: (BufferNode<E> | null)[] = [node];
    const versions: DeweyNumber[] = [version];
    while (nodes.length > 0) {
      const cur = nodes.pop()!;
      // Flink stops the whole release walk at the first node that is already gone.
      if (cur === null || cur.removed) break;
      const v = versions.pop()!;
      const edges = cur.edges;
      let w = 0;
      for (let i = 0; i < edges.length; i++) {
        const edge = edges[i];
        if (isCompatible(v, edge.version) && --edge.refs <= 0) {
          if (edge.target !== null) {
            nodes.push(edge.target);
            versions.push(edge.version);
          }
          continue; // edge removed
        }
        edges[w++] = edge;
      }
      edges.length = w;
      if (--cur.refs <= 0) {
        cur.removed = true;
        this.liveNodes--;
        const list = cur.entry.nodes!;
        list.splice(list.indexOf(cur), 1);
        this.releaseEvent(cur.entry);
      }
    }
  }

  releaseEvent(entry: EventEntry<E>): void {
    if (entry.refs > 0 && --entry.refs === 0) this.liveEvents--;
  }

  /** All event sequences that end at `node` along edges compatible with `version` (depth first, as Flink). */
  extractPatterns(node: BufferNode<E> | null, version: DeweyNumber): EntryMatch<E>[] {
    const result: EntryMatch<E>[] = [];
    if (node === null || node.removed) return result;
    // Common case first: a single compatible edge at every step needs no path copies.
    type Frame = { node: BufferNode<E> | null; version: DeweyNumber; path: BufferNode<E>[] };
    const stack: Frame[] = [{ node, version, path: [] }];
    while (stack.length > 0) {
      const { node: cur, version: v, path } = stack.pop()!;
      if (cur === null) {
        const match: EntryMatch<E> = new Map();
        for (let i = path.length - 1; i >= 0; i--) {
          const n = path[i];
          const list = match.get(n.page);
          if (list === undefined) match.set(n.page, [n.entry]);
          else list.push(n.entry);
        }
        result.push(match);
        continue;
      }
      path.push(cur);
      let first = true;
      for (const edge of cur.edges) {
        if (!isCompatible(v, edge.version)) continue;
        const nextPath = first ? path : path.slice();
        first = false;
        stack.push({ node: edge.target, version: edge.version, path: nextPath });
      }
    }
    return result;
  }

  /** Replaces buffer entries by their events. */
  materialize(match: EntryMatch<E> | undefined): Map<string, E[]> {
    const out = new Map<string, E[]>();
    if (match === undefined) return out;
    for (const [page, entries] of match) out.set(page, entries.map((e) => e.event));
    return out;
  }

  /** No event with a timestamp below `timestamp` will come: forget their id counters. */
  advanceTime(timestamp: number): void {
    if (timestamp <= this.oldestCount) return;
    let oldest = Infinity;
    const counts = this.counts!;
    for (const ts of counts.keys()) {
      if (ts < timestamp) counts.delete(ts);
      else if (ts < oldest) oldest = ts;
    }
    this.oldestCount = oldest;
  }

  isEmpty(): boolean {
    return this.liveEvents === 0 && this.liveNodes === 0;
  }
}

function findNode<E>(entry: EventEntry<E>, page: string): BufferNode<E> | undefined {
  const nodes = entry.nodes;
  if (nodes === null) return undefined;
  for (let i = 0; i < nodes.length; i++) if (nodes[i].page === page) return nodes[i];
  return undefined;
}
