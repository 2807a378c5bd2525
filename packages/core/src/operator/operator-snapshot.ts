import type { OperatorStats, TimeMode } from './cep-operator.js';

/** One key's matching state in a snapshot: the key, its state (see Matcher.snapshotState) and its creation order. */
export type KeyEntry = [key: unknown, state: unknown, seq?: number];

/** The versioned plain-data form of an operator's complete state. */
export interface OperatorSnapshot {
  readonly format: 'cepheus-operator';
  /**
   * 3: each key with its creation order, and the next one (2: keys in creation order, renumbered on
   * restore; 1: key states of patterns that are not chains in the shared-buffer NFA's form). All read.
   */
  readonly version: 1 | 2 | 3;
  readonly time: TimeMode;
  readonly watermark: number;
  readonly maxTimestamp: number;
  readonly buffered: { readonly ts: number; readonly event: unknown }[];
  /** The creation order the next new key gets (version 3). */
  readonly keySeq?: number;
  /** Per pattern, each key with its matching state. */
  readonly patterns: { readonly name: string; readonly keys: KeyEntry[] }[];
  readonly stats: OperatorStats;
}

/** What changed since an earlier snapshot (see CepOperator.snapshotChanges). */
export interface OperatorChanges {
  /** The snapshot, with only the keys whose state changed. */
  readonly snapshot: OperatorSnapshot;
  /** Per pattern, the keys that have no state any more. */
  readonly removed: { readonly pattern: string; readonly keys: unknown[] }[];
}

export function checkSnapshot(snapshot: OperatorSnapshot): void {
  if (snapshot?.format !== 'cepheus-operator') throw new TypeError('restore: not a Cepheus operator snapshot');
  const v = snapshot.version;
  if (v !== 1 && v !== 2 && v !== 3) throw new TypeError(`restore: unsupported snapshot version ${String(v)} (this build reads versions 1 to 3)`);
}

/**
 * The complete snapshot: `base`'s keys (keys are told apart by their JSON text), less those
 * removed, with those changed, and everything else from the changes.
 */
export function mergeChanges(base: OperatorSnapshot | undefined, changes: OperatorChanges): OperatorSnapshot {
  if (base !== undefined) {
    checkSnapshot(base);
    if (base.version !== 3) throw new TypeError('mergeChanges: the base snapshot must be of version 3');
  }
  const patterns = changes.snapshot.patterns.map((p) => {
    const keys = new Map<string, KeyEntry>();
    for (const entry of base?.patterns.find((b) => b.name === p.name)?.keys ?? []) keys.set(JSON.stringify(entry[0]), entry);
    for (const key of changes.removed.find((r) => r.pattern === p.name)?.keys ?? []) keys.delete(JSON.stringify(key));
    for (const entry of p.keys) keys.set(JSON.stringify(entry[0]), entry);
    return { name: p.name, keys: [...keys.values()].sort((a, b) => a[2]! - b[2]!) };
  });
  return { ...changes.snapshot, patterns };
}

/** JSON has no infinities: encode them as null. */
export function jsonNumber(n: number): number {
  return Number.isFinite(n) ? n : (null as unknown as number);
}

export function fromJsonNumber(n: number | null): number {
  return n === null ? -Infinity : n;
}
