/**
 * What the service keeps, behind one interface so that the cluster can put the log and the outbox
 * elsewhere. The embedded implementation is SqliteStorage.
 *
 * The log is the source of truth: events, the clock ticks of quiet periods and the rule
 * deployments, each at a position (seq). Processing is a function of the log alone, so replaying
 * it gives the same outputs with the same ids, and the outbox keeps one row per id.
 */

/**
 * One entry of the log, in the order processing applies it. A batch of events takes one position
 * per event: the entry's `seq` is its first event's, and event i is at seq + i.
 */
export type LogEntry =
  | { readonly seq: number; readonly kind: 'events'; readonly events: readonly unknown[] }
  /** No event came for a while: event time advanced to `watermark` with the clock. */
  | { readonly seq: number; readonly kind: 'tick'; readonly watermark: number }
  /**
   * The running rules changed: from here on, these versions run (`restart`: those that start
   * afresh; `backfill`: a rule first run over the stored events since a time).
   */
  | { readonly seq: number; readonly kind: 'rules'; readonly running: readonly RuleRef[]; readonly restart: readonly string[]; readonly backfill?: Backfill };

/** A rule deployed with a backfill: run over the stored events whose event_time is `from` or later. */
export interface Backfill {
  readonly name: string;
  readonly from: number;
}

export interface RuleRef {
  readonly name: string;
  readonly version: number;
}

export type RuleState = 'running' | 'stopped';

export interface RuleVersion {
  readonly name: string;
  readonly version: number;
  readonly text: string;
  readonly createdAt: string;
}

export interface RuleRecord extends RuleVersion {
  readonly state: RuleState;
}

/** An input line that was not an event, kept and countable. */
export interface Reject {
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

/** An output event in the outbox. */
export interface OutboxEntry {
  /** The outbox position (the order of first production). */
  readonly seq: number;
  readonly id: string;
  readonly rule: string;
  readonly version: number;
  readonly event: unknown;
}

/** An event behind the watermark: an input event (at its log position) or a rule's output (position null). */
export interface LateEvent {
  /** What identifies the event: `e` and its log position, or `o` and its output id. */
  readonly key: string;
  readonly event: string;
  readonly rule: string | null;
  readonly position: number | null;
}

export interface NewOutput {
  readonly id: string;
  readonly rule: string;
  readonly version: number;
  /** The output event as JSON text. */
  readonly event: string;
}

export interface Storage {
  /**
   * Appends batches of events (each its events as JSON text, normalized) and records their
   * rejects, in one durable transaction; with an idempotency key, a batch's answer is kept with it.
   * Each batch is one log entry, in the order given.
   */
  appendEvents(batches: readonly NewBatch[]): void;
  /** The answer kept for an idempotency key, if a batch with it was appended. */
  answerFor(key: string): string | undefined;
  appendTick(watermark: number): number;
  appendRules(running: readonly RuleRef[], restart: readonly string[], backfill?: Backfill): number;
  /** At most `limit` log entries (a batch is one) holding positions after `seq`, in order. */
  readLog(afterSeq: number, limit: number): LogEntry[];
  /** The last log position (0: empty). */
  lastSeq(): number;

  /** Stores a new version of a rule (versions count from 1) and makes it the rule's current one, running. */
  saveRule(name: string, text: string): RuleVersion;
  rule(name: string): RuleRecord | undefined;
  rules(): RuleRecord[];
  versions(name: string): RuleVersion[];
  version(name: string, version: number): RuleVersion | undefined;
  setRuleState(name: string, state: RuleState): void;
  /** Removes the rule and its versions. */
  deleteRule(name: string): void;

  /**
   * Adds outputs (an id already there is skipped) and records that the log is processed up to
   * `processed`, with the processing state as of there when given (a checkpoint), in one
   * transaction. Returns the outputs that were new.
   */
  addOutputs(outputs: readonly NewOutput[], late: readonly LateEvent[], processed: number, checkpoint?: CheckpointWrite): NewOutput[];
  /** Log positions of the input events that were late for every rule, from position `from` on. */
  latePositions(from: number): Set<number>;
  /** The last checkpoint: the processing state as of log position `position`, its keys' states merged. */
  checkpoint(): StoredCheckpoint | undefined;
  outputsAfter(seq: number, limit: number): OutboxEntry[];
  lastOutputSeq(): number;
  /** The log position processed up to (what addOutputs recorded last). */
  processedSeq(): number;
  /** Where a sink has delivered up to in the outbox. */
  sinkCursor(sink: string): number;
  setSinkCursor(sink: string, seq: number): void;

  counts(): { events: number; rejects: number; outputs: number; late: number };
  /** Outputs in the outbox per rule, and late events per rule (input events late for all rules count for each). */
  ruleCounts(name: string): { outputs: number; late: number };
  close(): void;
}

/**
 * What one checkpoint writes: the processing state but its keys (`head`, replaced), and the state
 * of each key that changed since the last checkpoint, by scope (a rule). The keys of a scope in
 * `reset` are all dropped first (a rule deployed anew); those of scopes not in `scopes` too (rules
 * no longer running). Then `put` replaces a key's state and `removed` drops it. A write costs what
 * changed, not what is stored. All texts are JSON.
 */
export interface CheckpointWrite {
  readonly head: string;
  readonly scopes: readonly string[];
  readonly reset: readonly string[];
  readonly put: readonly (readonly [scope: string, key: string, state: string])[];
  readonly removed: readonly (readonly [scope: string, key: string])[];
}

export interface StoredCheckpoint {
  readonly position: number;
  readonly head: string;
  /** Every key's state, by scope. */
  readonly keys: Map<string, [key: string, state: string][]>;
  /** Characters of JSON in all. */
  readonly size: number;
}

/** A batch to append (see appendEvents). */
export interface NewBatch {
  readonly events: readonly string[];
  readonly rejects: readonly Reject[];
  readonly idempotency?: { readonly key: string; readonly answer: string };
}

/** The last log position an entry holds (a batch holds one per event). */
export function lastPosition(entry: LogEntry): number {
  return entry.kind === 'events' ? entry.seq + entry.events.length - 1 : entry.seq;
}

/** The stored input events before log position `before`, in log order, with their positions. */
export function* storedEvents<E>(storage: Storage, before = Number.POSITIVE_INFINITY): Generator<{ event: E; position: number }> {
  for (let position = 0; position < before - 1; ) {
    const entries = storage.readLog(position, 64);
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.seq >= before) return;
      position = lastPosition(entry);
      if (entry.kind !== 'events') continue;
      for (let i = 0; i < entry.events.length; i++) yield { event: entry.events[i] as E, position: entry.seq + i };
    }
  }
}
