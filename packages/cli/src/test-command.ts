import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RuleEngine, type Match, type StandardEvent, type TimeReader } from '@cepheus/rules';
import { EventLines, type ErrorLine } from './event-lines.js';
import { loadRules, unkeyedMessage } from './load-rules.js';
import { inputReading, inputZone, optionZone } from './options.js';

/**
 * `cepheus test`: a test is a folder with rule files (`*.cep`, `*.json`), the input events
 * (`events.jsonl`) and the expected output events (`expected.jsonl`); optionally the expected late
 * events (`expected-late.jsonl`), the expected error lines (`expected-errors.jsonl`) and the run's
 * options (`test.json`). Without an expected-late or expected-errors file, none are expected.
 * Expected lines match as a partial match: fields they leave out are not compared.
 */
export interface TestCase {
  readonly name: string;
  readonly dir: string;
}

const OPTIONS = ['outOfOrderness', 'timeZone', 'epochUnit', 'fields'] as const;
type TestOptions = Partial<Record<(typeof OPTIONS)[number], string>>;

/** The tests under the given folders: each folder that holds events.jsonl, or its subfolders that do. */
export function findTests(paths: string[]): TestCase[] {
  const tests: TestCase[] = [];
  const visit = (dir: string) => {
    if (existsSync(join(dir, 'events.jsonl'))) {
      tests.push({ name: relative(process.cwd(), dir) || dir, dir });
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(join(dir, entry.name));
    }
  };
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new Error(`cepheus test: ${p} is not a folder`);
    visit(p);
  }
  return tests;
}

/** What a test's run produced: outputs with the events of their matches, late events, error lines. */
interface Produced {
  outputs: { event: StandardEvent; rule: string; match: Match }[];
  late: unknown[];
  errors: unknown[];
  /** The input line of each input event (outputs of rules have none). */
  lineOf: Map<StandardEvent, number>;
}

/** Runs one test; returns the failure report (empty when it passed). */
export function runTest(test: TestCase): string[] {
  const file = (name: string) => join(test.dir, name);
  const ruleFiles = readdirSync(test.dir)
    .filter((f) => f.endsWith('.cep') || (f.endsWith('.json') && f !== 'test.json'))
    .sort()
    .map(file);
  if (ruleFiles.length === 0) return ['no rule file (*.cep or *.json) in the folder'];
  const options = readOptions(file('test.json'));
  if (typeof options === 'string') return [options];
  // test.json's options are run's, in camel case
  const values = { 'time-zone': options.timeZone, 'epoch-unit': options.epochUnit, fields: options.fields, 'out-of-orderness': options.outOfOrderness };
  const given = optionZone(values);
  const rules = loadRules(ruleFiles, given ? { timeZone: given } : {});
  if (rules === undefined) return ['the rules do not compile (errors above)'];
  const { times, decode, outOfOrdernessMs } = inputReading(values, inputZone(values, rules));
  const produced: Produced = { outputs: [], late: [], errors: [], lineOf: new Map() };
  const engine = new RuleEngine({
    rules,
    outOfOrdernessMs,
    onOutput: (event, rule, match) => produced.outputs.push({ event, rule, match }),
    onLate: (event, rule) => produced.late.push(rule ? { rule, event } : event),
    onUnkeyed: (event, rule) => produced.errors.push({ rule, error: unkeyedMessage(rules.find((r) => r.name === rule)!), event }),
  });
  const lines = new EventLines(
    decode,
    (event, line) => {
      produced.lineOf.set(event, line);
      engine.push(event);
    },
    (error: ErrorLine) => produced.errors.push(error),
  );
  lines.write(readFileSync(file('events.jsonl')));
  lines.end();
  engine.flush();
  const report: string[] = [];
  compare(
    'output',
    readExpected(file('expected.jsonl')),
    produced.outputs.map((o) => o.event),
    times,
    report,
    (i) => involved(produced.outputs[i], produced.lineOf),
  );
  compare('late event', readExpected(file('expected-late.jsonl')), produced.late, times, report);
  compare('error line', readExpected(file('expected-errors.jsonl')), produced.errors, times, report);
  return report;
}

function readOptions(path: string): TestOptions | string {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return `test.json is not JSON: ${(e as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'test.json must be an object';
  for (const [k, v] of Object.entries(parsed)) {
    if (!(OPTIONS as readonly string[]).includes(k)) return `test.json: unknown option '${k}' (options are ${OPTIONS.join(', ')})`;
    if (typeof v !== 'string') return `test.json: ${k} must be a string, as on the command line`;
  }
  return parsed as TestOptions;
}

/** The lines of an expected file as values (a missing file: none expected). */
function readExpected(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l, i) => [l.trim(), i] as const)
    .filter(([l]) => l.length > 0)
    .map(([l, i]) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: not JSON: ${(e as Error).message}`);
      }
    });
}

/** Compares expected and actual lines in order; adds a description of each difference to `report`. */
function compare(what: string, expected: unknown[], actual: unknown[], times: TimeReader, report: string[], why?: (i: number) => string[]): void {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const head = `${what} ${i + 1}`;
    if (i >= actual.length) report.push(`${head}: expected ${JSON.stringify(expected[i])}`, `  but there is none (${actual.length} ${what}s in all)`);
    else if (i >= expected.length) report.push(`${head}: not expected: ${JSON.stringify(actual[i])}`, ...(why?.(i) ?? []));
    else {
      const diffs = differences(expected[i], actual[i], '', times);
      if (diffs.length > 0)
        report.push(`${head}: ${diffs.join('; ')}`, `  expected ${JSON.stringify(expected[i])}`, `  actual   ${JSON.stringify(actual[i])}`, ...(why?.(i) ?? []));
    }
  }
}

/** Where `actual` differs from the partial `expected`: fields expected leaves out are not compared. */
function differences(expected: unknown, actual: unknown, path: string, times: TimeReader): string[] {
  const at = path === '' ? 'the line' : path;
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at} is ${JSON.stringify(actual)}, not an object`];
    return Object.entries(expected).flatMap(([k, v]) => differences(v, (actual as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, times));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${at} is ${JSON.stringify(actual)}`];
    return expected.flatMap((v, i) => differences(v, actual[i], `${path}[${i}]`, times));
  }
  // an expected event_time may be written as date-time text, read as the input's are
  if (path === 'event_time' && typeof expected === 'string' && typeof actual === 'number') {
    const t = times.read(expected);
    if (t === actual) return [];
  }
  return Object.is(expected, actual) ? [] : [`${at} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`];
}

/** The events of an output's match, with their input lines. */
function involved(output: Produced['outputs'][number], lineOf: Map<StandardEvent, number>): string[] {
  const lines = [`  from rule ${output.rule}, matching:`];
  for (const [variable, events] of output.match) {
    for (const e of events) {
      const line = lineOf.get(e);
      lines.push(`    ${variable}: ${line === undefined ? `output of rule ${e.event_code}` : `line ${line}`} ${JSON.stringify(e)}`);
    }
  }
  return lines;
}

/** `cepheus test DIR...`: runs every test found, prints each failure, then `N passed, M failed`. */
export function testCommand(paths: string[]): number {
  const tests = findTests(paths.length === 0 ? ['.'] : paths);
  if (tests.length === 0) {
    process.stderr.write(`cepheus test: no test (a folder with events.jsonl) under ${paths.join(', ') || '.'}\n`);
    return 1;
  }
  let failed = 0;
  for (const t of tests) {
    let report: string[];
    try {
      report = runTest(t);
    } catch (e) {
      report = [(e as Error).message];
    }
    if (report.length === 0) process.stdout.write(`PASS ${t.name}\n`);
    else {
      failed++;
      process.stdout.write(`FAIL ${t.name}\n${report.map((l) => `  ${l}`).join('\n')}\n`);
    }
  }
  process.stdout.write(`${tests.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
