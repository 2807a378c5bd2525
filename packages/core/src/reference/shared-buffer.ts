import { isCompatible, type DeweyNumber } from '../nfa/dewey-number.js';

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
  /** Nodes of this event, one per pattern name that took it: the first inline, others in `moreNodes`. */
  node: BufferNode<E> | null;
  moreNodes: BufferNode<E>[] | null;
}

/**
 * An event taken for one pattern name, with versioned edges to the previous node of each run.
 * Most nodes have a single edge, so the first is stored inline (edge0*, edge0Version null when the
 * node has no edge) and only further ones in `moreEdges`: three objects fewer per node.
 */
export interface BufferNode<E = unknown> {
  readonly entry: EventEntry<E>;
  readonly page: string;
  refs: number;
  removed: boolean;
  edge0Target: BufferNode<E> | null;
  edge0Version: DeweyNumber | null;
  edge0Refs: number;
  moreEdges: BufferEdge<E>[] | null;
  /**
   * moreEdges grouped by their version's first digit, built once a node has many (null: scan them
   * all). A run's version is compatible only with edges of its own first digit (every version that
   * reaches a node has two digits or more), so lock, release and extraction visit just that group,
   * in the same order as in moreEdges: a node that many runs took gets an edge per run.
   */
  byRoot: Map<number, BufferEdge<E>[]> | null;
}

export interface BufferEdge<E = unknown> {
  readonly target: BufferNode<E> | null;
  readonly version: DeweyNumber;
  refs: number;
}

export type EntryMatch<E> = Map<string, EventEntry<E>[]>;

/**
 * Flink's SharedBuffer/SharedBufferAccessor: partial matches share their common prefixes as a
 * DAG of nodes; reference counts release nodes and events as soon as no run uses them. Each key's
 * NFAState holds one.
 */
export class SharedBuffer<E> {
  // Events registered per timestamp (their ids), forgotten once time passes the timestamp (Flink's
  // eventsCount map). Kept as one inline entry (the latest timestamp, the common case of a key whose
  // events come in time order) plus a map for the others, so a key costs no Map until time goes back.
  private countTs = -Infinity;
  private countNext = 0;
  private olderCounts: Map<number, number> | null = null;
  liveEvents = 0;
  liveNodes = 0;

  /** Stores an event with one reference held by the caller (released after processing it). */
  registerEvent(event: E, timestamp: number, id = this.nextId(timestamp)): EventEntry<E> {
    this.liveEvents++;
    return { event, timestamp, id, refs: 1, node: null, moreNodes: null };
  }

  private nextId(timestamp: number): number {
    if (timestamp === this.countTs) return this.countNext++;
    // events come in time order per key: counters of earlier timestamps can no longer be used
    this.advanceTime(timestamp);
    if (this.countTs !== -Infinity) (this.olderCounts ??= new Map()).set(this.countTs, this.countNext);
    const older = this.olderCounts;
    this.countNext = older?.get(timestamp) ?? 0;
    older?.delete(timestamp);
    this.countTs = timestamp;
    return this.countNext++;
  }

  /** Smallest timestamp with a live counter (Infinity: none). */
  get oldestCount(): number {
    let oldest = this.countTs === -Infinity ? Infinity : this.countTs;
    if (this.olderCounts !== null) for (const ts of this.olderCounts.keys()) if (ts < oldest) oldest = ts;
    return oldest;
  }

  /** The per-timestamp counters as [timestamp, count] pairs (for snapshots). */
  get counts(): [number, number][] {
    const out: [number, number][] = this.olderCounts === null ? [] : [...this.olderCounts];
    if (this.countTs !== -Infinity) out.push([this.countTs, this.countNext]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  set counts(entries: [number, number][]) {
    this.countTs = -Infinity;
    this.countNext = 0;
    this.olderCounts = null;
    for (const [ts, n] of entries) {
      if (this.countTs !== -Infinity) (this.olderCounts ??= new Map()).set(this.countTs, this.countNext);
      this.countTs = ts;
      this.countNext = n;
    }
  }

  /** Links `entry` under `page` to `previous` with `version`; reuses the node if the event was already taken for `page`. */
  put(page: string, entry: EventEntry<E>, previous: BufferNode<E> | null, version: DeweyNumber): BufferNode<E> {
    if (previous !== null) this.lockNode(previous, version);
    let node = findNode(entry, page);
    if (node === undefined) {
      node = { entry, page, refs: 0, removed: false, edge0Target: previous, edge0Version: version, edge0Refs: 0, moreEdges: null, byRoot: null };
      attachNode(entry, node);
      entry.refs++;
      this.liveNodes++;
    } else {
      addEdge(node, { target: previous, version, refs: 0 });
    }
    return node;
  }

  lockNode(node: BufferNode<E> | null, version: DeweyNumber): void {
    if (node === null || node.removed) return;
    node.refs++;
    if (node.edge0Version !== null && isCompatible(version, node.edge0Version)) node.edge0Refs++;
    const more = candidates(node, version);
    if (more !== null) for (let i = 0; i < more.length; i++) if (isCompatible(version, more[i].version)) more[i].refs++;
  }

  /** Drops one reference to `node` (and, transitively, to the edges and nodes only it kept alive). */
  releaseNode(node: BufferNode<E> | null, version: DeweyNumber): void {
    const nodes = releaseNodes;
    const versions = releaseVersions;
    const base = nodes.length; // re-entrant-safe: this call only pops what it pushed
    nodes.push(node);
    versions.push(version);
    while (nodes.length > base) {
      const cur = nodes.pop()!;
      // Flink stops the whole release walk at the first node that is already gone.
      if (cur === null || cur.removed) {
        nodes.length = base;
        versions.length = base;
        break;
      }
      const v = versions.pop()!;
      // edges in order: the inline first one, then the others (Flink's order decides the walk's order)
      let firstGone = false;
      if (cur.edge0Version !== null && isCompatible(v, cur.edge0Version) && --cur.edge0Refs <= 0) {
        if (cur.edge0Target !== null) {
          nodes.push(cur.edge0Target);
          versions.push(cur.edge0Version);
        }
        firstGone = true;
      }
      const more = cur.moreEdges;
      const group = candidates(cur, v);
      if (group !== null) {
        // the compatible edges, in order; those whose last reference this was are removed
        let w = 0;
        for (let i = 0; i < group.length; i++) {
          const edge = group[i];
          if (isCompatible(v, edge.version) && --edge.refs <= 0) {
            if (edge.target !== null) {
              nodes.push(edge.target);
              versions.push(edge.version);
            }
            edge.refs = RELEASED; // removed, here and (below) from moreEdges
            continue;
          }
          if (w !== i) group[w] = edge;
          w++;
        }
        if (w !== group.length) {
          group.length = w;
          if (group !== more) {
            if (w === 0) cur.byRoot!.delete(v[0]);
            removeReleased(more!);
          }
        }
      }
      if (firstGone) {
        const next = more !== null && more.length > 0 ? more.shift()! : undefined;
        if (next !== undefined && cur.byRoot !== null) {
          const g = cur.byRoot.get(next.version[0])!;
          g.shift(); // next was the first of moreEdges, so the first of its group
          if (g.length === 0) cur.byRoot.delete(next.version[0]);
        }
        cur.edge0Target = next ? next.target : null;
        cur.edge0Version = next ? next.version : null;
        cur.edge0Refs = next ? next.refs : 0;
      }
      if (more !== null && more.length === 0) {
        cur.moreEdges = null;
        cur.byRoot = null;
      }
      if (--cur.refs <= 0) {
        cur.removed = true;
        this.liveNodes--;
        detachNode(cur.entry, cur);
        this.releaseEvent(cur.entry);
      }
    }
  }

  releaseEvent(entry: EventEntry<E>): void {
    if (entry.refs > 0 && --entry.refs === 0) this.liveEvents--;
  }

  /**
   * The event sequence of the run that ends at `node` with `version`: from each node, the one edge
   * compatible with the version leads back towards the run's first event. (Flink's extractPatterns
   * collects every compatible path, and asserts that a run has exactly one; following the single
   * compatible edge finds that path without visiting the others.)
   */
  extractPath(node: BufferNode<E> | null, version: DeweyNumber): EntryMatch<E> | undefined {
    if (node === null || node.removed) return undefined;
    const path: BufferNode<E>[] = [];
    let cur: BufferNode<E> | null = node;
    let v = version;
    while (cur !== null) {
      path.push(cur);
      // the newest compatible edge: the others, newest first, then the inline first edge
      let target: BufferNode<E> | null | undefined;
      let nextVersion: DeweyNumber | undefined;
      const more = candidates(cur, v);
      if (more !== null) {
        for (let i = more.length - 1; i >= 0; i--) {
          if (isCompatible(v, more[i].version)) {
            target = more[i].target;
            nextVersion = more[i].version;
            break;
          }
        }
      }
      if (nextVersion === undefined && cur.edge0Version !== null && isCompatible(v, cur.edge0Version)) {
        target = cur.edge0Target;
        nextVersion = cur.edge0Version;
      }
      if (nextVersion === undefined) return undefined; // broken chain: no complete path
      cur = target!;
      v = nextVersion;
    }
    const match: EntryMatch<E> = new Map();
    for (let i = path.length - 1; i >= 0; i--) {
      const n = path[i];
      const list = match.get(n.page);
      if (list === undefined) match.set(n.page, [n.entry]);
      else list.push(n.entry);
    }
    return match;
  }

  /** Replaces buffer entries by their events. */
  materialize(match: EntryMatch<E> | undefined): Map<string, E[]> {
    const out = new Map<string, E[]>();
    if (match === undefined) return out;
    for (const [page, entries] of match)
      out.set(
        page,
        entries.map((e) => e.event),
      );
    return out;
  }

  /** No event with a timestamp below `timestamp` will come: forget their id counters. */
  advanceTime(timestamp: number): void {
    if (this.countTs < timestamp) {
      this.countTs = -Infinity;
      this.countNext = 0;
    }
    const older = this.olderCounts;
    if (older !== null) {
      for (const ts of older.keys()) if (ts < timestamp) older.delete(ts);
      if (older.size === 0) this.olderCounts = null;
    }
  }

  isEmpty(): boolean {
    return this.liveEvents === 0 && this.liveNodes === 0;
  }
}

/** A node's edges, in order (for snapshots and tests). */
export function edgesOf<E>(node: BufferNode<E>): BufferEdge<E>[] {
  const first: BufferEdge<E>[] = node.edge0Version === null ? [] : [{ target: node.edge0Target, version: node.edge0Version, refs: node.edge0Refs }];
  return node.moreEdges === null ? first : first.concat(node.moreEdges);
}

/** Appends an edge (keeps order: the inline slot holds the first one). */
export function addEdge<E>(node: BufferNode<E>, edge: BufferEdge<E>): void {
  if (node.edge0Version === null) {
    node.edge0Target = edge.target;
    node.edge0Version = edge.version;
    node.edge0Refs = edge.refs;
    return;
  }
  const more = (node.moreEdges ??= []);
  more.push(edge);
  if (node.byRoot !== null) {
    const group = node.byRoot.get(edge.version[0]);
    if (group === undefined) node.byRoot.set(edge.version[0], [edge]);
    else group.push(edge);
  } else if (more.length > GROUP_FROM) {
    const byRoot = new Map<number, BufferEdge<E>[]>();
    for (const e of more) {
      const group = byRoot.get(e.version[0]);
      if (group === undefined) byRoot.set(e.version[0], [e]);
      else group.push(e);
    }
    node.byRoot = byRoot;
  }
}

/** Edges beyond the inline one from which a node groups them by first digit (below it, a scan is cheaper). */
const GROUP_FROM = 8;

/** The edges (beyond the inline one) that may be compatible with `version`, in order; null for none. */
function candidates<E>(node: BufferNode<E>, version: DeweyNumber): BufferEdge<E>[] | null {
  const byRoot = node.byRoot;
  if (byRoot === null || version.length < 2) return node.moreEdges;
  return byRoot.get(version[0]) ?? null;
}

/** Marks an edge released from its node (its refs are not used again). */
const RELEASED = NaN;

/** Drops the edges marked RELEASED from `more`, keeping the order. */
function removeReleased<E>(more: BufferEdge<E>[]): void {
  let w = 0;
  for (let i = 0; i < more.length; i++) {
    const edge = more[i];
    if (Number.isNaN(edge.refs)) continue;
    if (w !== i) more[w] = edge;
    w++;
  }
  more.length = w;
}

const releaseNodes: (BufferNode<any> | null)[] = [];
const releaseVersions: DeweyNumber[] = [];

function findNode<E>(entry: EventEntry<E>, page: string): BufferNode<E> | undefined {
  if (entry.node !== null && entry.node.page === page) return entry.node;
  const more = entry.moreNodes;
  if (more !== null) for (let i = 0; i < more.length; i++) if (more[i].page === page) return more[i];
  return undefined;
}

/** Adds a node to its event's node list (nodes keep their insertion order). */
export function attachNode<E>(entry: EventEntry<E>, node: BufferNode<E>): void {
  if (entry.node === null && entry.moreNodes === null) entry.node = node;
  else (entry.moreNodes ??= []).push(node);
}

function detachNode<E>(entry: EventEntry<E>, node: BufferNode<E>): void {
  if (entry.node === node) {
    entry.node = entry.moreNodes !== null ? entry.moreNodes.shift()! : null;
  } else if (entry.moreNodes !== null) {
    entry.moreNodes.splice(entry.moreNodes.indexOf(node), 1);
  }
  if (entry.moreNodes !== null && entry.moreNodes.length === 0) entry.moreNodes = null;
}
