import { createHash } from 'node:crypto';
import { RuleEngine, type CompiledRule, type EngineSnapshot, type Match, type PartitionKey, type RuleEngineOptions, type StandardEvent } from '@cepheus/rules';
import type { CompiledRules } from '../rules/compiled-rules.js';
import { lastPosition, storedEvents, type Backfill, type CheckpointWrite, type LateEvent, type LogEntry, type NewOutput, type RuleRef, type Storage } from '../storage/storage.js';

export interface ProcessorOptions {
  /** Where it reads the log, the rules and the last checkpoint (it writes nothing there itself). */
  storage: Storage;
  rules: CompiledRules;
  /** Allowed disorder of events in ms (the bounded-out-of-orderness watermark, as `cepheus run`). */
  outOfOrdernessMs: number;
  /**
   * Commits, in order: each to be written in one transaction (Storage.addOutputs). A commit that
   * fails must end this processor: a new one restores the last checkpoint and makes the lost
   * outputs again. `confirmed` is to be called once a commit is in the storage.
   */
  write: (commit: Commit) => void;
  /** How many log entries (a batch is one) one step reads and commits with its outputs. */
  chunk?: number;
  /** A checkpoint is written once this many log positions were processed since the last (0: never). */
  checkpointEvery?: number;
}

/** What one step of processing writes: its outputs and late events, the position, maybe a checkpoint. */
export interface Commit {
  readonly outputs: NewOutput[];
  readonly late: LateEvent[];
  readonly processed: number;
  readonly checkpoint?: CheckpointWrite;
  /** The checkpoint's characters of JSON, keys written or removed, and the time taken to make it. */
  readonly checkpointStats?: { size: number; keys: number; ms: number };
}

/** The processing state a checkpoint holds, as of its log position, but its keys' states (stored apart, by rule). */
interface CheckpointHead {
  readonly running: RuleRef[];
  readonly maxEventTime: number | null;
  readonly engine: EngineSnapshot;
}

/**
 * Runs the rules over the log, in log order, and hands their outputs on to be committed. Processing
 * is a function of the log alone (events, ticks and rule deployments are all entries of it), so a
 * restart restores the last checkpoint, replays the log after it and reproduces every output of
 * that part with its id: the outbox keeps the first copy of each, which makes the effect exactly
 * once.
 */
export class Processor {
  private engine: RuleEngine;
  /** The log position applied up to. */
  private position = 0;
  private running: RuleRef[] = [];
  /** The running versions by rule name (each output names its rule's). */
  private versions = new Map<string, number>();
  private outputs: NewOutput[] = [];
  private late: LateEvent[] = [];
  /** The latest event time applied (-Infinity: none yet). */
  maxEventTime = -Infinity;
  private readonly chunk: number;

  constructor(private readonly options: ProcessorOptions) {
    this.chunk = options.chunk ?? 4;
    this.checkpointEvery = options.checkpointEvery ?? 0;
    const saved = options.storage.checkpoint();
    if (saved === undefined) this.engine = this.newEngine([]);
    else {
      // continue from the checkpoint: its rules, its engine state, then the log after it
      const head = JSON.parse(saved.head, reviveTokens) as CheckpointHead;
      const rules = head.engine.rules.map((r) => ({
        ...r,
        keys: (saved.keys.get(r.name) ?? []).map(([key, state]) => [JSON.parse(key), JSON.parse(state, reviveTokens)] as [PartitionKey, unknown]),
      }));
      this.setRunning(head.running);
      this.engine = RuleEngine.restore({ ...head.engine, rules }, this.engineOptions(head.running.map((r) => this.compile(r))));
      this.maxEventTime = head.maxEventTime ?? -Infinity;
      this.position = saved.position;
      this.checkpointed = saved.position;
    }
  }

  private readonly checkpointEvery: number;
  /** The log position of the last checkpoint. */
  private checkpointed = 0;
  /**
   * Log positions of late input events in commits not yet confirmed: a backfill leaves out the
   * late events, and reads those committed from the storage.
   */
  private unconfirmedLate: { processed: number; positions: number[] }[] = [];

  /** Commits up to position `processed` are in the storage. */
  confirmed(processed: number): void {
    if (this.unconfirmedLate.length > 0) this.unconfirmedLate = this.unconfirmedLate.filter((c) => c.processed > processed);
  }

  /**
   * The processing state changed since the last checkpoint, as what storage writes (positions and
   * output ids of the events it holds kept): the head, and the keys changed per rule.
   */
  private checkpointWrite(): CheckpointWrite {
    const changes = this.engine.snapshotChanges();
    const put: [string, string, string][] = [];
    const removed: [string, string][] = [];
    const reset: string[] = [];
    const rules = changes.rules;
    for (const r of rules) {
      if (r.fresh) reset.push(r.name);
      for (const [key, state] of r.keys) put.push([r.name, JSON.stringify(key), JSON.stringify(state, keepTokens)]);
      for (const key of r.removed) removed.push([r.name, JSON.stringify(key)]);
    }
    const head: CheckpointHead = {
      running: this.running,
      maxEventTime: Number.isFinite(this.maxEventTime) ? this.maxEventTime : null,
      engine: { ...changes, rules: changes.rules.map(({ removed: _r, fresh: _f, ...r }) => ({ ...r, keys: [] })) },
    };
    return { head: JSON.stringify(head, keepTokens), scopes: rules.map((r) => r.name), reset, put, removed };
  }

  /** Writes a checkpoint of the state as processed now (shutdown does). */
  checkpointNow(): void {
    this.commit(true);
  }

  /**
   * Commits the outputs and late events gathered since the last commit with the position, and a
   * checkpoint of the state as of there when asked, in one transaction.
   */
  private commit(withCheckpoint: boolean): void {
    const late = this.late;
    const positions = late.flatMap((l) => (l.position === null ? [] : [l.position]));
    if (positions.length > 0) this.unconfirmedLate.push({ processed: this.position, positions });
    let commit: Commit = { outputs: this.outputs, late, processed: this.position };
    if (withCheckpoint) {
      const t0 = performance.now();
      const checkpoint = this.checkpointWrite();
      let size = checkpoint.head.length;
      for (const [, key, state] of checkpoint.put) size += key.length + state.length;
      commit = { ...commit, checkpoint, checkpointStats: { size, keys: checkpoint.put.length + checkpoint.removed.length, ms: performance.now() - t0 } };
      this.checkpointed = this.position;
    }
    this.outputs = [];
    this.late = [];
    this.options.write(commit);
  }

  /** The log position processed up to. */
  get processed(): number {
    return this.position;
  }

  /** The engine's watermark. */
  get watermark(): number {
    return this.engine.currentWatermark;
  }

  /** Keys with state in each running rule. */
  keyCounts(): Map<string, number> {
    return this.engine.keyCounts();
  }

  /** Partial matches in each running rule. */
  partialMatchCounts(): Map<string, number> {
    return this.engine.partialMatchCounts();
  }

  /** Processes everything the log holds beyond the position, synchronously (at start: the replay). */
  catchUp(): void {
    while (this.step()) {}
  }

  /**
   * Asks for the log to be processed soon: in turns of about 20 ms, so that messages (queries, a
   * close) are answered while a long log is replayed. Calls while it is scheduled coalesce.
   */
  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private scheduled = false;

  private readonly turn = (): void => {
    this.scheduled = false;
    const until = performance.now() + 20;
    let more = this.step();
    while (more && performance.now() < until) more = this.step();
    if (more) this.notify();
  };

  /** Applies one chunk of the log and commits its outputs with the position; false when there was nothing left. */
  private step(): boolean {
    const storage = this.options.storage;
    const entries = storage.readLog(this.position, this.chunk);
    if (entries.length === 0) return false;
    for (const entry of entries) this.apply(entry);
    this.position = lastPosition(entries[entries.length - 1]);
    this.commit(this.checkpointEvery > 0 && this.position - this.checkpointed >= this.checkpointEvery);
    return entries.length === this.chunk;
  }

  private apply(entry: LogEntry): void {
    this.idsOfEntry.clear();
    switch (entry.kind) {
      case 'events': {
        const events = entry.events as StandardEvent[];
        for (let i = 0; i < events.length; i++) {
          const event = events[i];
          (event as Marked)[TOKEN] = `e${entry.seq + i}`;
          if (event.event_time > this.maxEventTime) this.maxEventTime = event.event_time;
          if (this.idsOfEntry.size > 0) this.idsOfEntry.clear(); // each event of a batch is an entry of its own for ids
          this.engine.push(event);
        }
        return;
      }
      case 'tick':
        this.engine.advanceWatermark(entry.watermark);
        return;
      case 'rules':
        this.deploy(entry.running, entry.restart);
        if (entry.backfill !== undefined) this.backfill(entry.backfill, entry.seq);
    }
  }

  private setRunning(running: readonly RuleRef[]): void {
    this.running = [...running];
    this.versions = new Map(running.map((r) => [r.name, r.version]));
  }

  private deploy(running: readonly RuleRef[], restart: readonly string[]): void {
    this.setRunning(running);
    const rules = running.map((r) => this.compile(r));
    this.engine.replaceRules(rules, new Set(restart));
  }

  /**
   * Runs a rule just deployed over the stored events before log position `before` whose
   * event_time is `from` or later, leaving out those that were late (the engine did not take
   * them): the same events, at the same point of the log, on every replay.
   */
  private backfill(b: Backfill, before: number): void {
    const storage = this.options.storage;
    const late = storage.latePositions(0);
    // the late ones of this run not yet in the storage
    for (const c of this.unconfirmedLate) for (const p of c.positions) late.add(p);
    for (const l of this.late) if (l.position !== null) late.add(l.position);
    const events: StandardEvent[] = [];
    for (const { event, position } of storedEvents<StandardEvent>(storage, before)) {
      if (event.event_time < b.from || late.has(position)) continue;
      (event as Marked)[TOKEN] = `e${position}`;
      events.push(event);
    }
    this.engine.backfill(b.name, events);
  }

  private compile(ref: RuleRef): CompiledRule {
    return this.options.rules.of(ref.name, ref.version);
  }

  private newEngine(rules: CompiledRule[]): RuleEngine {
    return new RuleEngine(this.engineOptions(rules));
  }

  private engineOptions(rules: CompiledRule[]): RuleEngineOptions {
    return {
      rules,
      outOfOrdernessMs: this.options.outOfOrdernessMs,
      onOutput: (event, rule, match) => this.output(event, rule, match),
      trackChanges: true,
      onLate: (event: StandardEvent, rule?: string) => {
        const token = (event as Marked)[TOKEN];
        // an input event late for every rule (rule undefined) is at its log position
        const position = rule === undefined && token?.startsWith('e') ? Number(token.slice(1)) : null;
        this.late.push({ key: token ?? '?', event: JSON.stringify(event), rule: rule ?? null, position });
      },
    };
  }

  /**
   * The ids made while applying the current log entry, with how often: two runs can complete the
   * same match on one event (Flink emits it twice), and the second copy is an output of its own.
   * Both come from one entry, so counting within it is the same on every replay.
   */
  private readonly idsOfEntry = new Map<string, number>();

  private output(event: StandardEvent, rule: string, match: Match): void {
    const version = this.versions.get(rule) ?? 0;
    const base = outputId(rule, version, String(event.user_id), match);
    const copies = this.idsOfEntry.get(base) ?? 0;
    this.idsOfEntry.set(base, copies + 1);
    const id = copies === 0 ? base : `${base}.${copies}`;
    (event as Marked)[TOKEN] = `o${id}`;
    this.outputs.push({ id, rule, version, event: JSON.stringify(event) });
  }
}

/**
 * What identifies an event the engine holds: its log position (`e` + seq), or its output id (`o` +
 * id) for outputs that other rules read. A symbol: JSON never writes it.
 */
const TOKEN: unique symbol = Symbol('cepheus.token');
type Marked = StandardEvent & { [TOKEN]?: string };

/**
 * In checkpoint text, an event's token is a member of this name (JSON drops symbols); reading the
 * checkpoint turns it back into the symbol. Events of the log never hold a member of this name.
 */
const TOKEN_KEY = '\u0000cepheus.token';

function keepTokens(this: unknown, _key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && TOKEN in value) return { ...(value as object), [TOKEN_KEY]: (value as Marked)[TOKEN] };
  return value;
}

function reviveTokens(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && TOKEN_KEY in value) {
    const { [TOKEN_KEY]: token, ...rest } = value as Record<string, unknown>;
    (rest as unknown as Marked)[TOKEN] = token as string;
    return rest;
  }
  return value;
}

/**
 * An output's id: from its rule, version, key and what identifies its events (log positions, or
 * the ids of the outputs it read), so that replaying the log gives each output the same id.
 */
export function outputId(rule: string, version: number, key: string, match: Match): string {
  const hash = createHash('sha256');
  hash.update(`${rule}\u0000${version}\u0000${key}`);
  for (const [variable, events] of match) {
    hash.update(`\u0000${variable}`);
    for (const e of events) hash.update(`\u0000${(e as Marked)[TOKEN] ?? '?'}`);
  }
  return hash.digest('base64url').slice(0, 32);
}
