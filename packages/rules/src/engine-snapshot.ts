import type { EngineStats } from './engine.js';
import type { PartitionKey } from './compile.js';
import type { StandardEvent } from './standard-event.js';

/** One rule's state in a snapshot: what is not per key, and each key's state apart. */
export interface RuleSnapshot {
  readonly name: string;
  readonly signature: string;
  readonly ordered: boolean;
  readonly state: unknown;
  readonly keys: readonly (readonly [PartitionKey, unknown])[];
}

/** A RuleEngine's complete state as plain data, JSON-safe (see RuleEngine.snapshot). */
export interface EngineSnapshot {
  readonly format: 'cepheus-engine';
  /** 2: each rule's keys apart (1: each rule's state whole; still read). */
  readonly version: 1 | 2;
  readonly watermark: number | null;
  readonly maxTimestamp: number | null;
  readonly rulesTime: number | null;
  readonly stats: EngineStats;
  readonly buffered: readonly { ts: number; event: StandardEvent }[];
  readonly rules: readonly RuleSnapshot[];
}

/** What changed since the last call (see RuleEngine.snapshotChanges). */
export interface EngineChanges extends Omit<EngineSnapshot, 'rules'> {
  /** Each rule with only the keys whose state changed, the keys that have none any more, and whether it started afresh (its earlier keys are all gone). */
  readonly rules: readonly (RuleSnapshot & { readonly removed: readonly PartitionKey[]; readonly fresh: boolean })[];
}

/**
 * The complete snapshot: per rule, `base`'s keys (unless the rule started afresh), less those
 * removed, with those changed; rules that are no longer running are gone. Keys are told apart by
 * their JSON text.
 */
export function mergeChanges(base: EngineSnapshot | undefined, changes: EngineChanges): EngineSnapshot {
  if (base !== undefined && (base.format !== 'cepheus-engine' || base.version !== 2)) throw new TypeError('mergeChanges: the base must be a version 2 engine snapshot');
  const rules = changes.rules.map(({ removed, fresh, ...rule }): RuleSnapshot => {
    const keys = new Map<string, readonly [PartitionKey, unknown]>();
    if (!fresh) for (const entry of base?.rules.find((r) => r.name === rule.name)?.keys ?? []) keys.set(JSON.stringify(entry[0]), entry);
    for (const key of removed) keys.delete(JSON.stringify(key));
    for (const entry of rule.keys) keys.set(JSON.stringify(entry[0]), entry);
    return { ...rule, keys: [...keys.values()] };
  });
  return { ...changes, rules };
}
