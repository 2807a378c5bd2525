import { compileRules, type CompiledRule } from '@cepheus/rules';
import type { Storage } from '../storage/storage.js';

/** Rule versions compiled once, by name and version, for the rule service and processing alike. */
export class CompiledRules {
  private readonly cache = new Map<string, CompiledRule>();

  constructor(private readonly storage: Storage) {}

  /** The compiled form of a stored version; throws when the storage does not hold it. */
  of(name: string, version: number): CompiledRule {
    const key = `${name}@${version}`;
    let rule = this.cache.get(key);
    if (rule === undefined) {
      const v = this.storage.version(name, version);
      if (v === undefined) throw new Error(`rule ${key} is not in the storage`);
      rule = compileRules(v.text, `${name}.cep`)[0];
      this.cache.set(key, rule);
    }
    return rule;
  }

  /** Keeps a version compiled already (a deployment checked it). */
  keep(name: string, version: number, rule: CompiledRule): void {
    this.cache.set(`${name}@${version}`, rule);
  }
}
