import { compileRules, dependencyOrder, parseRules, RuleError, RuleErrors, rulesToJson, type CompiledRule } from '@cepheus/rules';
import type { Backfill, RuleRecord, RuleRef, RuleVersion, Storage } from '../storage/storage.js';
import type { CompiledRules } from './compiled-rules.js';

/** One error of a rule text, as the API reports it (with the caret text `cepheus check` prints). */
export interface RuleProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly hint: string | null;
  readonly text: string;
}

/** A request about rules that cannot be carried out: its status and what is wrong. */
export class RuleRequestError extends Error {
  override name = 'RuleRequestError';
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly problems: readonly RuleProblem[] = [],
  ) {
    super(message);
  }
}

function problemsOf(e: RuleError): RuleProblem[] {
  const all = e instanceof RuleErrors ? e.errors : [e];
  return all.map((x) => ({ line: x.span.line, column: x.span.column, message: x.message, hint: x.hint ?? null, text: x.format() }));
}

/** Rules that would feed each other in a cycle are refused with `status` (400: the text, 409: the state). */
function noCycle(rules: CompiledRule[], status: 400 | 409): void {
  try {
    dependencyOrder(rules);
  } catch (e) {
    if (e instanceof RuleError) throw new RuleRequestError(status, e.message, problemsOf(e));
    throw e;
  }
}

/** Compiles rule text, turning rule errors into a 400 with every error. */
export function compileText(text: string, file: string): CompiledRule[] {
  try {
    return compileRules(text, file);
  } catch (e) {
    if (e instanceof RuleError) throw new RuleRequestError(400, `the rule text has ${problemsOf(e).length === 1 ? 'an error' : `${problemsOf(e).length} errors`}`, problemsOf(e));
    throw e;
  }
}

/**
 * Rules and their versions: what the API changes, kept in the storage, and each change of the
 * running set appended to the log (so that processing applies it at that point, on replay too).
 */
export class RuleService {
  constructor(
    private readonly storage: Storage,
    private readonly compiled: CompiledRules,
    private readonly changed: () => void,
  ) {}

  /** Validates a text holding exactly one rule named `name` (any name when undefined). */
  check(text: string, name?: string): CompiledRule {
    const rules = compileText(text, `${name ?? 'rule'}.cep`);
    if (rules.length !== 1) throw new RuleRequestError(400, `the text must hold exactly one rule; it holds ${rules.length}`);
    const rule = rules[0];
    if (name !== undefined && rule.name !== name) {
      throw new RuleRequestError(400, `the rule is named "${rule.name}" but the address names "${name}": RULENAME must match`);
    }
    return rule;
  }

  /** Stores and deploys a new version; the rule's earlier version stops and its partial matches end. */
  deploy(name: string, text: string, backfillFrom?: number): RuleVersion {
    const rule = this.check(text, name);
    const others = this.runningRecords()
      .filter((r) => r.name !== name)
      .map((r) => this.compiledOf(r));
    noCycle([...others, rule], 400);
    const version = this.storage.saveRule(name, text);
    this.compiled.keep(name, version.version, rule);
    this.publish([name], backfillFrom === undefined ? undefined : { name, from: backfillFrom });
    return version;
  }

  setState(name: string, state: 'running' | 'stopped'): RuleRecord {
    const r = this.require(name);
    if (r.state !== state) {
      if (state === 'running') this.checkCycle(name);
      this.storage.setRuleState(name, state);
      // a rule started again starts afresh
      this.publish(state === 'running' ? [name] : []);
    }
    return this.require(name);
  }

  delete(name: string): void {
    this.require(name);
    this.storage.deleteRule(name);
    this.publish([]);
  }

  require(name: string): RuleRecord {
    const r = this.storage.rule(name);
    if (r === undefined) throw new RuleRequestError(404, `there is no rule named "${name}"`);
    return r;
  }

  compiledOf(r: { name: string; version: number }): CompiledRule {
    return this.compiled.of(r.name, r.version);
  }

  runningRecords(): RuleRecord[] {
    return this.storage.rules().filter((r) => r.state === 'running');
  }

  /** The running rules as JSON rule documents (the rules-as-data form). */
  runningJson(): unknown {
    return rulesToJson(this.runningRecords().flatMap((r) => parseRules(r.text, `${r.name}.cep`)));
  }

  /** One rule version as a JSON rule document. */
  json(r: { name: string; text: string }): unknown {
    return rulesToJson(parseRules(r.text, `${r.name}.cep`));
  }

  private checkCycle(name: string): void {
    const rules = this.storage
      .rules()
      .filter((r) => r.state === 'running' || r.name === name)
      .map((r) => this.compiledOf(r));
    noCycle(rules, 409);
  }

  private publish(restart: string[], backfill?: Backfill): void {
    const running: RuleRef[] = this.runningRecords().map((r) => ({ name: r.name, version: r.version }));
    this.storage.appendRules(running, restart, backfill);
    this.changed();
  }
}
