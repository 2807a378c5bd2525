import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  Backfill,
  CheckpointWrite,
  LateEvent,
  LogEntry,
  NewOutput,
  OutboxEntry,
  NewBatch,
  RuleRecord,
  RuleRef,
  RuleState,
  RuleVersion,
  Storage,
  StoredCheckpoint,
} from './storage.js';

/**
 * How commits reach the disk. 'full': each commit is synced before the service answers, so an
 * acknowledged batch survives a power loss. 'normal': in WAL mode a commit survives a crash of the
 * process, but the last commits before a power loss may be lost.
 */
export type Synchronous = 'full' | 'normal';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejects (id INTEGER PRIMARY KEY, line INTEGER NOT NULL, reason TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, answer TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rule_versions (name TEXT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS rules (name TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, version INTEGER NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS late (id INTEGER PRIMARY KEY, key TEXT NOT NULL, rule TEXT, position INTEGER, event TEXT NOT NULL, UNIQUE (key, rule));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, data TEXT NOT NULL, at TEXT NOT NULL);
-- one row per key with state, per rule; a rowid table: a key's state is hundreds of bytes, too large
-- a row for WITHOUT ROWID to pay (upserts of 20,000 such rows took twice as long)
CREATE TABLE IF NOT EXISTS checkpoint_keys (scope TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (scope, key));
`;

/**
 * The embedded storage: one SQLite database file (`cepheus.db`) in the data folder, in WAL mode.
 * The service's thread has the one connection that writes; the processing thread reads through a
 * read-only one (in WAL mode readers and the writer do not wait for each other).
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly stmts;
  /** synchronous is 'full': commits of the log are synced. */
  private readonly synced: boolean;

  /** `readonly`: a connection that only reads (the processing thread's), to a database set up already. */
  constructor(dataDir: string, synchronous: Synchronous = 'full', options: { readonly?: boolean } = {}) {
    const readonly = options.readonly === true;
    if (!readonly) mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'cepheus.db'), { readonly, fileMustExist: readonly });
    this.synced = synchronous === 'full';
    if (!readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${this.synced ? 'FULL' : 'NORMAL'}`);
      this.db.exec(SCHEMA);
    }
    const db = this.db;
    this.stmts = {
      appendLog: db.prepare('INSERT INTO log (seq, count, kind, body) VALUES (?, ?, ?, ?)'),
      // the entries holding positions after the given one: from the one that holds the next position on
      readLog: db.prepare(
        'SELECT seq, count, kind, body FROM log WHERE seq >= (SELECT coalesce(max(seq), 0) FROM log WHERE seq <= ?) AND seq + count - 1 > ? ORDER BY seq LIMIT ?',
      ),
      nextSeq: db.prepare('SELECT coalesce(max(seq + count), 1) AS s FROM log'),
      reject: db.prepare('INSERT INTO rejects (line, reason, text, at) VALUES (?, ?, ?, ?)'),
      answer: db.prepare('SELECT answer FROM idempotency WHERE key = ?'),
      keepAnswer: db.prepare('INSERT INTO idempotency (key, answer, at) VALUES (?, ?, ?)'),
      maxVersion: db.prepare('SELECT coalesce(max(version), 0) AS v FROM rule_versions WHERE name = ?'),
      addVersion: db.prepare('INSERT INTO rule_versions (name, version, text, created_at) VALUES (?, ?, ?, ?)'),
      setRule: db.prepare('INSERT INTO rules (name, version, state) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version, state = excluded.state'),
      rule: db.prepare(
        'SELECT r.name, r.version, r.state, v.text, v.created_at AS createdAt FROM rules r JOIN rule_versions v ON v.name = r.name AND v.version = r.version WHERE r.name = ?',
      ),
      rules: db.prepare(
        'SELECT r.name, r.version, r.state, v.text, v.created_at AS createdAt FROM rules r JOIN rule_versions v ON v.name = r.name AND v.version = r.version ORDER BY r.name',
      ),
      versions: db.prepare('SELECT name, version, text, created_at AS createdAt FROM rule_versions WHERE name = ? ORDER BY version'),
      version: db.prepare('SELECT name, version, text, created_at AS createdAt FROM rule_versions WHERE name = ? AND version = ?'),
      setState: db.prepare('UPDATE rules SET state = ? WHERE name = ?'),
      deleteRule: db.prepare('DELETE FROM rules WHERE name = ?'),
      addOutput: db.prepare('INSERT OR IGNORE INTO outbox (id, rule, version, event) VALUES (?, ?, ?, ?)'),
      // once per event and rule: a replay finds the same late events again
      addLate: db.prepare('INSERT OR IGNORE INTO late (key, rule, position, event) VALUES (?, ?, ?, ?)'),
      latePositions: db.prepare("SELECT position FROM late WHERE rule = '' AND position >= ?"),
      outputsAfter: db.prepare('SELECT seq, id, rule, version, event FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      lastOutput: db.prepare('SELECT coalesce(max(seq), 0) AS s FROM outbox'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      countEvents: db.prepare("SELECT coalesce(sum(count), 0) AS n FROM log WHERE kind = 'events'"),
      countRejects: db.prepare('SELECT count(*) AS n FROM rejects'),
      countOutputs: db.prepare('SELECT count(*) AS n FROM outbox'),
      countLate: db.prepare('SELECT count(*) AS n FROM late'),
      ruleOutputs: db.prepare('SELECT count(*) AS n FROM outbox WHERE rule = ?'),
      ruleLate: db.prepare("SELECT count(*) AS n FROM late WHERE rule = ? OR rule = ''"),
      saveCheckpoint: db.prepare(
        'INSERT INTO checkpoint (id, position, data, at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, data = excluded.data, at = excluded.at',
      ),
      checkpoint: db.prepare('SELECT position, data FROM checkpoint WHERE id = 1'),
      checkpointKeys: db.prepare('SELECT scope, key, state FROM checkpoint_keys').raw(),
      putKey: db.prepare('INSERT INTO checkpoint_keys (scope, key, state) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state'),
      removeKey: db.prepare('DELETE FROM checkpoint_keys WHERE scope = ? AND key = ?'),
      resetScope: db.prepare('DELETE FROM checkpoint_keys WHERE scope = ?'),
      keepScopes: db.prepare('DELETE FROM checkpoint_keys WHERE scope NOT IN (SELECT value FROM json_each(?))'),
    };
    this.next = (this.stmts.nextSeq.get() as { s: number }).s;
  }

  /** The position the next log entry takes. */
  private next: number;

  private append(kind: string, count: number, body: string): number {
    const seq = this.next;
    this.stmts.appendLog.run(seq, count, kind, body);
    this.next = seq + count;
    return seq;
  }

  appendEvents(batches: readonly NewBatch[]): void {
    const now = new Date().toISOString();
    const before = this.next;
    try {
      this.db.transaction(() => {
        for (const { events, rejects, idempotency } of batches) {
          // one row per batch: its events as one JSON array, one position each
          if (events.length > 0) this.append('events', events.length, `[${events.join(',')}]`);
          for (const r of rejects) this.stmts.reject.run(r.line, r.reason, r.text, now);
          if (idempotency) this.stmts.keepAnswer.run(idempotency.key, idempotency.answer, now);
        }
      })();
    } catch (e) {
      this.next = before; // the transaction rolled back
      throw e;
    }
  }

  answerFor(key: string): string | undefined {
    return (this.stmts.answer.get(key) as { answer: string } | undefined)?.answer;
  }

  appendTick(watermark: number): number {
    return this.append('tick', 1, String(watermark));
  }

  appendRules(running: readonly RuleRef[], restart: readonly string[], backfill?: Backfill): number {
    return this.append('rules', 1, JSON.stringify({ running, restart, ...(backfill ? { backfill } : {}) }));
  }

  latePositions(from: number): Set<number> {
    return new Set((this.stmts.latePositions.all(from) as { position: number }[]).map((r) => r.position));
  }

  readLog(afterSeq: number, limit: number): LogEntry[] {
    const rows = this.stmts.readLog.all(afterSeq + 1, afterSeq, limit) as { seq: number; count: number; kind: string; body: string }[];
    return rows.map((r): LogEntry => {
      if (r.kind === 'events') {
        const events = JSON.parse(r.body) as unknown[];
        // a batch partly before the position: its rest (a reader restarting mid-batch)
        return r.seq > afterSeq ? { seq: r.seq, kind: 'events', events } : { seq: afterSeq + 1, kind: 'events', events: events.slice(afterSeq + 1 - r.seq) };
      }
      if (r.kind === 'tick') return { seq: r.seq, kind: 'tick', watermark: Number(r.body) };
      const { running, restart, backfill } = JSON.parse(r.body) as { running: RuleRef[]; restart: string[]; backfill?: Backfill };
      return backfill ? { seq: r.seq, kind: 'rules', running, restart, backfill } : { seq: r.seq, kind: 'rules', running, restart };
    });
  }

  lastSeq(): number {
    return this.next - 1;
  }

  saveRule(name: string, text: string): RuleVersion {
    return this.db.transaction(() => {
      const version = (this.stmts.maxVersion.get(name) as { v: number }).v + 1;
      const createdAt = new Date().toISOString();
      this.stmts.addVersion.run(name, version, text, createdAt);
      this.stmts.setRule.run(name, version, 'running');
      return { name, version, text, createdAt };
    })();
  }

  rule(name: string): RuleRecord | undefined {
    return this.stmts.rule.get(name) as RuleRecord | undefined;
  }

  rules(): RuleRecord[] {
    return this.stmts.rules.all() as RuleRecord[];
  }

  versions(name: string): RuleVersion[] {
    return this.stmts.versions.all(name) as RuleVersion[];
  }

  version(name: string, version: number): RuleVersion | undefined {
    return this.stmts.version.get(name, version) as RuleVersion | undefined;
  }

  setRuleState(name: string, state: RuleState): void {
    this.stmts.setState.run(state, name);
  }

  deleteRule(name: string): void {
    // the versions stay: the log names them, and replaying it needs their text
    this.stmts.deleteRule.run(name);
  }

  addOutputs(outputs: readonly NewOutput[], late: readonly LateEvent[], processed: number, checkpoint?: CheckpointWrite): NewOutput[] {
    // What processing writes follows from the log: a commit lost to a power loss is made again by
    // the replay, so it is not synced (the next synced commit, of the log, syncs it with it).
    if (this.synced) this.db.pragma('synchronous = NORMAL');
    try {
      return this.writeOutputs(outputs, late, processed, checkpoint);
    } finally {
      if (this.synced) this.db.pragma('synchronous = FULL');
    }
  }

  private writeOutputs(outputs: readonly NewOutput[], late: readonly LateEvent[], processed: number, checkpoint?: CheckpointWrite): NewOutput[] {
    return this.db.transaction(() => {
      if (checkpoint !== undefined) this.saveCheckpoint(processed, checkpoint);
      const added: NewOutput[] = [];
      for (const o of outputs) if (this.stmts.addOutput.run(o.id, o.rule, o.version, o.event).changes > 0) added.push(o);
      for (const l of late) this.stmts.addLate.run(l.key, l.rule ?? '', l.position, l.event);
      this.stmts.setMeta.run('processed', processed);
      return added;
    })();
  }

  private saveCheckpoint(position: number, c: CheckpointWrite): void {
    const s = this.stmts;
    s.saveCheckpoint.run(position, c.head, new Date().toISOString());
    s.keepScopes.run(JSON.stringify(c.scopes));
    for (const scope of c.reset) s.resetScope.run(scope);
    for (const [scope, key] of c.removed) s.removeKey.run(scope, key);
    for (const [scope, key, state] of c.put) s.putKey.run(scope, key, state);
  }

  checkpoint(): StoredCheckpoint | undefined {
    const row = this.stmts.checkpoint.get() as { position: number; data: string } | undefined;
    if (row === undefined) return undefined;
    const keys = new Map<string, [string, string][]>();
    let size = row.data.length;
    for (const [scope, key, state] of this.stmts.checkpointKeys.iterate() as Iterable<[string, string, string]>) {
      let list = keys.get(scope);
      if (list === undefined) keys.set(scope, (list = []));
      list.push([key, state]);
      size += key.length + state.length;
    }
    return { position: row.position, head: row.data, keys, size };
  }

  outputsAfter(seq: number, limit: number): OutboxEntry[] {
    const rows = this.stmts.outputsAfter.all(seq, limit) as { seq: number; id: string; rule: string; version: number; event: string }[];
    return rows.map((r) => ({ seq: r.seq, id: r.id, rule: r.rule, version: r.version, event: JSON.parse(r.event) }));
  }

  lastOutputSeq(): number {
    return (this.stmts.lastOutput.get() as { s: number }).s;
  }

  processedSeq(): number {
    return (this.stmts.getMeta.get('processed') as { value: number } | undefined)?.value ?? 0;
  }

  sinkCursor(sink: string): number {
    return (this.stmts.getMeta.get(`sink:${sink}`) as { value: number } | undefined)?.value ?? 0;
  }

  setSinkCursor(sink: string, seq: number): void {
    this.stmts.setMeta.run(`sink:${sink}`, seq);
  }

  counts(): { events: number; rejects: number; outputs: number; late: number } {
    const n = (s: Database.Statement) => (s.get() as { n: number }).n;
    return { events: n(this.stmts.countEvents), rejects: n(this.stmts.countRejects), outputs: n(this.stmts.countOutputs), late: n(this.stmts.countLate) };
  }

  ruleCounts(name: string): { outputs: number; late: number } {
    return { outputs: (this.stmts.ruleOutputs.get(name) as { n: number }).n, late: (this.stmts.ruleLate.get(name) as { n: number }).n };
  }

  close(): void {
    this.db.close();
  }
}
