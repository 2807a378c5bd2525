import { readFileSync } from 'node:fs';
import { compilePattern, type CompiledNFA, type Match as CoreMatch } from '@cepheus/core';
import { NFA, type NFAObserver, type RunView } from '@cepheus/core/reference';
import { RuleEngine, type CompiledRule, type ConditionCheck, type StandardEvent, type TimeZone } from '@cepheus/rules';
import { EventLines, type ErrorLine } from './event-lines.js';
import { loadRules } from './load-rules.js';
import { INPUT_OPTIONS, inputReading, inputZone, optionZone, UsageError } from './options.js';

/**
 * `cepheus trace`: why a rule did or did not fire, key by key. The rules run as `cepheus run` runs
 * them (rule chaining included) to find the stream each traced rule reads; then each traced rule
 * runs again on that stream in Flink's reference NFA (the `@cepheus/core/reference` entry), which
 * the engine's runtimes are held to by the differential tests, with an observer, and every event's
 * fate in every partial match is written down. The engine's own runtimes carry no tracing code.
 */

/** One entry of a rule's input stream: an input line, or the output of an upstream rule. */
interface StreamEvent {
  readonly event: StandardEvent;
  /** Input line number, or undefined for the output of a rule. */
  readonly line: number | undefined;
}

/** What happened to one partial match (or to the key) at one event. */
export interface Fate {
  /** The partial match before the event, by variable, as labels of its events (line numbers, or rule@time). */
  readonly run?: Record<string, string[]>;
  readonly fate: 'started' | 'taken' | 'ignored' | 'ended' | 'matched' | 'not taken' | 'timed out' | 'no key';
  readonly variable?: string;
  /** Why, in words. */
  readonly why?: string;
  /** The conditions that decided it, with the values they read. */
  readonly conditions?: readonly ConditionCheck[];
  /** For a timeout: when the window closed. */
  readonly at?: number;
}

export interface TraceStep {
  /** The event's label (its input line, or the rule and time of an output), or 'end of input'. */
  readonly at: string;
  readonly event?: StandardEvent;
  readonly fates: Fate[];
  readonly matches: Record<string, string[]>[];
}

export interface KeyTrace {
  readonly key: string;
  readonly steps: TraceStep[];
}

export interface RuleTrace {
  readonly rule: string;
  readonly engine: string;
  readonly keys: KeyTrace[];
  readonly matches: number;
}

type State<E> = CompiledNFA<E>['startState'];

const label = (s: StreamEvent) => (s.line !== undefined ? `line ${s.line}` : `${s.event.event_code}@${s.event.event_time}`);

export async function traceCommand(
  args: string[],
  parse: (args: string[], options: Record<string, { type: 'string' | 'boolean' }>) => { values: Record<string, unknown>; positionals: string[] },
): Promise<number> {
  const { values, positionals } = parse(args, {
    input: { type: 'string' },
    rule: { type: 'string' },
    key: { type: 'string' },
    json: { type: 'boolean' },
    ...INPUT_OPTIONS,
  });
  if (values.input === undefined) throw new UsageError('trace needs --input FILE');
  const given = optionZone(values);
  const rules = loadRules(positionals, given ? { timeZone: given } : {});
  if (!rules) return 1;
  const { times, decode, outOfOrdernessMs } = inputReading(values, inputZone(values, rules));
  const traced = values.rule === undefined ? rules : rules.filter((r) => r.name === values.rule);
  if (traced.length === 0) throw new UsageError(`no rule named '${String(values.rule)}' (the rules are ${rules.map((r) => r.name).join(', ')})`);
  const events: StreamEvent[] = [];
  const errors: ErrorLine[] = [];
  const lines = new EventLines(
    decode,
    (event, line) => events.push({ event, line }),
    (e) => errors.push(e),
  );
  let text: Buffer;
  try {
    text = readFileSync(String(values.input));
  } catch (e) {
    process.stderr.write(`cepheus: cannot read input ${String(values.input)}: ${(e as Error).message}\n`);
    return 1;
  }
  lines.write(text);
  lines.end();
  const traces = trace(rules, traced, events, outOfOrdernessMs, values.key === undefined ? undefined : String(values.key));
  if (values.json) process.stdout.write(`${JSON.stringify({ errors, rules: traces }, null, 2)}\n`);
  else process.stdout.write(formatTraces(traces, errors, times.zone));
  return 0;
}

/** The traces of the `traced` rules over the input events (in input order), for every key or only `onlyKey`. */
export function trace(rules: CompiledRule[], traced: CompiledRule[], input: StreamEvent[], outOfOrdernessMs: number, onlyKey?: string): RuleTrace[] {
  // late events, as the engine's watermark would find them; the others in the order the engine processes them
  let maxTs = -Infinity;
  const onTime = input.filter((s) => {
    const late = s.event.event_time <= maxTs - outOfOrdernessMs - 1;
    maxTs = Math.max(maxTs, s.event.event_time);
    return !late;
  });
  onTime.sort((a, b) => a.event.event_time - b.event.event_time);
  // run every rule to find each rule's outputs, in the order the engine dispatches them
  const stream: StreamEvent[] = [];
  const engine = new RuleEngine({ rules, onOutput: (event) => stream.push({ event, line: undefined }) });
  for (const s of onTime) {
    stream.push(s);
    engine.push(s.event);
  }
  engine.flush();
  const names = new Set(rules.map((r) => r.name));
  return traced.map((rule) => {
    const reads = stream.filter((s) =>
      s.line === undefined ? rule.codes.has(s.event.event_code) : rule.codes.has(s.event.event_code) || (rule.allEvents && !names.has(s.event.event_code)),
    );
    return rule.kind === 'repeat' ? traceRepeat(rule, reads, onlyKey) : traceNfa(rule, reads, onlyKey);
  });
}

/** Per key, in order of first appearance. */
class Keys<T> {
  readonly byKey = new Map<string, { trace: KeyTrace; state: T }>();

  get(key: string, fresh: () => T): { trace: KeyTrace; state: T } {
    let k = this.byKey.get(key);
    if (k === undefined) this.byKey.set(key, (k = { trace: { key, steps: [] }, state: fresh() }));
    return k;
  }
}

function traceNfa(rule: CompiledRule, stream: StreamEvent[], onlyKey: string | undefined): RuleTrace {
  const nfa = new NFA<StandardEvent>(compilePattern(rule.pattern!));
  const labels = new Map<StandardEvent, string>(stream.map((s) => [s.event, label(s)]));
  const named = (m: CoreMatch<StandardEvent>) => Object.fromEntries([...m].map(([v, evs]) => [v, evs.map((e) => labels.get(e) ?? `${e.event_code}@${e.event_time}`)]));
  const ended = new Map<string, string>();
  const signature = (m: CoreMatch<StandardEvent>) => JSON.stringify(named(m));
  const observer: NFAObserver<StandardEvent> = {
    stopped: (run, state) => ended.set(signature(run), `the negation '${state.replace(/:.*$/, '')}' saw its event`),
    pruned: (run, _state, match) => {
      const why = `pruned by the after-match strategy (${rule.skip}) after the match ${JSON.stringify(named(match))}`;
      ended.set(signature(run), why);
      pruned.push({ run, why });
    },
  };
  /** The runs pruned while the current event was processed: some had just taken it. */
  const pruned: { run: CoreMatch<StandardEvent>; why: string }[] = [];
  nfa.observer = observer;
  const keys = new Keys<ReturnType<typeof nfa.createState>>();
  let matches = 0;
  const timeouts = (steps: TraceStep[], s: ReturnType<typeof nfa.createState>, ts: number, at: string) => {
    const out: CoreMatch<StandardEvent>[] = [];
    const timedOut: { match: CoreMatch<StandardEvent>; timestamp: number }[] = [];
    nfa.advanceTime(s, ts, out, timedOut);
    if (out.length === 0 && timedOut.length === 0) return;
    matches += out.length;
    steps.push({
      at,
      fates: timedOut.map((t) => ({ run: named(t.match), fate: 'timed out', why: `the window (WITHIN ${rule.withinMs} ms) closed`, at: t.timestamp })),
      matches: out.map(named),
    });
  };
  for (const s of stream) {
    const e = s.event;
    const key = rule.key(e);
    const keyText = key === undefined ? '(no key)' : String(key);
    if (onlyKey !== undefined && keyText !== onlyKey) continue;
    const k = keys.get(keyText, () => nfa.createState());
    if (key === undefined) {
      k.trace.steps.push({ at: label(s), event: e, fates: [{ fate: 'no key', why: `lacks the partition key ${rule.keyDescription}: skipped by this rule` }], matches: [] });
      continue;
    }
    timeouts(k.trace.steps, k.state, e.event_time, `before ${label(s)}`);
    const before = nfa.runsOf(k.state).filter((r) => !r.completed);
    ended.clear();
    pruned.length = 0;
    nfa.evaluate(e, e.event_time);
    const out = nfa.process(k.state, []);
    matches += out.length;
    const after = nfa.runsOf(k.state);
    const fates: Fate[] = [];
    const has = (m: CoreMatch<StandardEvent>, ev: StandardEvent) => [...m.values()].some((evs) => evs.includes(ev));
    const size = (m: CoreMatch<StandardEvent>) => [...m.values()].reduce((n, evs) => n + evs.length, 0);
    const extends_ = (child: CoreMatch<StandardEvent>, parent: CoreMatch<StandardEvent>) => [...parent].every(([v, evs]) => evs.every((x) => child.get(v)?.includes(x)));
    const takenFor = (m: CoreMatch<StandardEvent>) => [...m].find(([, evs]) => evs.includes(e))?.[0];
    const completed = [...out, ...after.filter((r) => r.completed).map((r) => r.events)];
    for (const run of before) {
      const sig = signature(run.events);
      const taken = [...after.filter((r) => !r.completed).map((r) => r.events), ...completed].filter(
        (m) => has(m, e) && size(m) === size(run.events) + 1 && extends_(m, run.events),
      );
      const kept = after.filter((r) => !has(r.events, e) && signature(r.events) === sig);
      for (const m of taken) fates.push({ run: named(run.events), fate: completed.includes(m) ? 'matched' : 'taken', variable: takenFor(m)! });
      const takenThenPruned = pruned.filter((p) => has(p.run, e) && size(p.run) === size(run.events) + 1 && extends_(p.run, run.events));
      for (const p of takenThenPruned)
        fates.push({ run: named(run.events), fate: 'ended', variable: takenFor(p.run)!, why: `took the event as ${takenFor(p.run)}, then was ${p.why}` });
      if (kept.length > 0)
        fates.push({ run: named(run.events), fate: 'ignored', why: `still waiting for ${candidates(run.state).join(' or ')}`, conditions: explainRun(rule, run, e) });
      if (taken.length === 0 && kept.length === 0 && takenThenPruned.length === 0) {
        const why =
          ended.get(sig) ?? (hasIgnore(run.state) ? 'no way on from this event' : `strict contiguity (',') broken: this event is not ${candidates(run.state).join(' or ')}`);
        fates.push({ run: named(run.events), fate: 'ended', why, conditions: explainRun(rule, run, e) });
      }
    }
    // partial matches this event started
    for (const r of [...after.filter((x) => !x.completed).map((x) => x.events), ...completed]) {
      if (size(r) === 1 && has(r, e)) fates.push({ fate: completed.includes(r) ? 'matched' : 'started', variable: takenFor(r)! });
    }
    if (fates.length === 0) {
      const start = nfa.startState;
      fates.push({
        fate: 'not taken',
        why: `does not start ${candidates(start).join(' or ')}`,
        conditions: explainRun(rule, { state: start, events: new Map(), completed: false }, e),
      });
    }
    k.trace.steps.push({ at: label(s), event: e, fates, matches: out.map(named) });
  }
  for (const k of keys.byKey.values()) timeouts(k.trace.steps, k.state, Number.MAX_VALUE, 'end of input');
  return { rule: rule.name, engine: `NFA ${rule.patternText}`, keys: [...keys.byKey.values()].map((k) => k.trace), matches };
}

/** The variables a run in `state` could take an event for next (TAKE edges, through PROCEED ones). */
function candidates(state: State<StandardEvent>): string[] {
  const names = new Set<string>();
  const seen = new Set<State<StandardEvent>>();
  const stack = [state];
  while (stack.length > 0) {
    const st = stack.pop()!;
    if (seen.has(st)) continue;
    seen.add(st);
    for (const t of st.transitions) {
      if (t.action === 'TAKE') names.add(t.source.patternName);
      if (t.action === 'PROCEED') stack.push(t.target);
    }
  }
  return [...names];
}

/** Whether a run in `state` can let an event pass (relaxed contiguity). */
function hasIgnore(state: State<StandardEvent>): boolean {
  return state.transitions.some((t) => t.action === 'IGNORE');
}

/** The conditions of the variables the run could take the event for. */
function explainRun(rule: CompiledRule, run: RunView<StandardEvent>, e: StandardEvent): ConditionCheck[] {
  return candidates(run.state).flatMap((v) => rule.explain(v, e, run.events).map((c) => ({ ...c, condition: `${v}: ${c.condition}` })));
}

/** REPEAT rules: per key, the window of accepted events, and HAVING whenever it holds enough. */
function traceRepeat(rule: CompiledRule, stream: StreamEvent[], onlyKey: string | undefined): RuleTrace {
  const spec = rule.repeat!;
  const keys = new Keys<StreamEvent[]>();
  let matches = 0;
  const max = spec.max ?? Infinity;
  for (const s of stream) {
    const e = s.event;
    const key = rule.key(e);
    const keyText = key === undefined ? '(no key)' : String(key);
    if (onlyKey !== undefined && keyText !== onlyKey) continue;
    const k = keys.get(keyText, () => []);
    const fates: Fate[] = [];
    const step: TraceStep = { at: label(s), event: e, fates, matches: [] };
    k.trace.steps.push(step);
    if (!spec.accepts(e)) {
      fates.push({ fate: 'not taken', why: 'WHERE does not hold', conditions: rule.explain(spec.variable, e, new Map()) });
      continue;
    }
    if (key === undefined) {
      fates.push({ fate: 'no key', why: `lacks the partition key ${rule.keyDescription}: skipped by this rule` });
      continue;
    }
    const window = k.state;
    const limit = e.event_time - spec.withinMs;
    const left = window.filter((w) => w.event.event_time <= limit);
    if (left.length > 0)
      fates.push({ run: { [spec.variable]: window.map(label) }, fate: 'timed out', why: `${left.map(label).join(', ')} left the window (WITHIN ${spec.withinMs} ms)` });
    const kept = window.filter((w) => w.event.event_time > limit);
    kept.push(s);
    if (kept.length > max) kept.shift();
    k.state = kept;
    const events = kept.map((w) => w.event);
    if (kept.length < spec.min) {
      fates.push({ fate: 'taken', variable: spec.variable, why: `the window holds ${kept.length} of the ${spec.min} events REPEAT needs` });
      continue;
    }
    const having = rule.explainHaving?.(events);
    if (having === undefined || having.holds) {
      matches++;
      step.matches.push({ [spec.variable]: kept.map(label) });
      fates.push({ fate: 'matched', variable: spec.variable, ...(having ? { conditions: [having] } : {}), why: 'the window restarts' });
      k.state = [];
    } else fates.push({ fate: 'taken', variable: spec.variable, why: `the window holds ${kept.length} events; HAVING does not hold`, conditions: [having] });
  }
  return { rule: rule.name, engine: `windowed aggregation (${rule.patternText})`, keys: [...keys.byKey.values()].map((k) => k.trace), matches };
}

/** The human-readable form. */
export function formatTraces(traces: RuleTrace[], errors: ErrorLine[], zone?: TimeZone): string {
  const time = (t: number) => (zone === undefined || t >= 8.64e15 ? String(t) : zone.formatIso(t));
  const out: string[] = [];
  for (const e of errors) out.push(`input line ${e.line}: ${e.error} (not read)`);
  const run = (r: Record<string, string[]> | undefined) =>
    r === undefined
      ? ''
      : `{${Object.entries(r)
          .map(([v, ls]) => `${v}: ${ls.join(', ')}`)
          .join('; ')}}`;
  for (const t of traces) {
    out.push(`rule ${t.rule}: ${t.matches} match${t.matches === 1 ? '' : 'es'}; ${t.engine}`);
    if (t.keys.length === 0) out.push('  no event of the codes it reads');
    for (const k of t.keys) {
      out.push(`  key ${k.key}`);
      for (const s of k.steps) {
        out.push(`    ${s.at}${s.event ? ` ${s.event.event_code} at ${time(s.event.event_time)}` : ''}`);
        for (const f of s.fates) {
          const who = f.run ? `${run(f.run)} ` : '';
          const what = f.fate === 'taken' || f.fate === 'started' || f.fate === 'matched' ? `${f.fate} as ${f.variable}` : f.fate;
          out.push(`      ${who}${what}${f.why ? `: ${f.why}` : ''}${f.at !== undefined ? ` at ${time(f.at)}` : ''}`);
          for (const c of f.conditions ?? []) out.push(`        ${c.holds ? 'holds' : 'fails'}: ${c.condition}  ${JSON.stringify(c.values)}`);
        }
        for (const m of s.matches) out.push(`      MATCH ${run(m)}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
