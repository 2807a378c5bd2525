import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RuleEngine, type Match, type StandardEvent, type TimeReader } from '@cepheus/rules';
import { EventLines, type ErrorLine } from './event-lines.js';
import { compileRuleTexts, unkeyedMessage } from './load-rules.js';
import { inputReading, inputZone, optionZone } from './options.js';

/**
 * `cepheus test`: a test is a folder with rule files (`*.cep`, `*.json`), the input events
 * (`events.jsonl`) and the expected output events (`expected.jsonl`); optionally the expected late
 * events (`expected-late.jsonl`), the expected error lines (`expected-errors.jsonl`) and the run's
 * options (`test.json`); or a section of a `*.test.cep` file (see parseTestFile). Without expected
 * late events or error lines, none are expected. Expected lines match as a partial match: fields
 * they leave out are not compared.
 */
export interface TestCase {
  readonly name: string;
  /** The test's parts, or why they cannot be read. */
  load(): TestInput | string;
}

/** What a test holds. */
export interface TestInput {
  readonly rules: { file: string; text: string }[];
  readonly events: Buffer | string;
  readonly expected: unknown[];
  readonly expectedLate: unknown[];
  readonly expectedErrors: unknown[];
  readonly options: TestOptions;
}

const OPTIONS = ['outOfOrderness', 'timeZone', 'epochUnit', 'fields'] as const;
type TestOptions = Partial<Record<(typeof OPTIONS)[number], string>>;

/** The tests under the given paths: each folder that holds events.jsonl (or its subfolders that do), and each *.test.cep file's tests. */
export function findTests(paths: string[]): TestCase[] {
  const tests: TestCase[] = [];
  const visit = (dir: string) => {
    if (existsSync(join(dir, 'events.jsonl'))) {
      tests.push(folderTest(dir));
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith(TEST_FILE)) tests.push(...fileTests(join(dir, entry.name)));
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`cepheus test: ${p} does not exist`);
    if (statSync(p).isDirectory()) visit(p);
    else if (p.endsWith(TEST_FILE)) tests.push(...fileTests(p));
    else throw new Error(`cepheus test: ${p} is neither a folder nor a *${TEST_FILE} file`);
  }
  return tests;
}

const TEST_FILE = '.test.cep';
const display = (path: string) => relative(process.cwd(), path) || path;

function folderTest(dir: string): TestCase {
  const file = (name: string) => join(dir, name);
  return {
    name: display(dir),
    load: () => {
      const ruleFiles = readdirSync(dir)
        .filter((f) => f.endsWith('.cep') || (f.endsWith('.json') && f !== 'test.json'))
        .sort()
        .map(file);
      if (ruleFiles.length === 0) return 'no rule file (*.cep or *.json) in the folder';
      const options = existsSync(file('test.json')) ? readOptions(readFileSync(file('test.json'), 'utf8'), 'test.json') : {};
      if (typeof options === 'string') return options;
      const optional = (name: string) => (existsSync(file(name)) ? readExpected(readFileSync(file(name), 'utf8'), file(name)) : []);
      return {
        rules: ruleFiles.map((f) => ({ file: f, text: readFileSync(f, 'utf8') })),
        events: readFileSync(file('events.jsonl')),
        expected: optional('expected.jsonl'),
        expectedLate: optional('expected-late.jsonl'),
        expectedErrors: optional('expected-errors.jsonl'),
        options,
      };
    },
  };
}

const SECTIONS = ['rules', 'events', 'expected', 'expected-late', 'expected-errors', 'options'] as const;

/**
 * The tests of a `*.test.cep` file: each starts at a line `=== NAME` and has sections, each from a
 * line `--- SECTION` (rules, events, expected, expected-late, expected-errors, options: test.json's
 * object) to the next. Lines before the first test are comments. Rule errors and event lines are
 * numbered as lines of the file.
 */
function fileTests(path: string): TestCase[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const tests: TestCase[] = [];
  let current: { name: string; sections: Map<string, { from: number; lines: string[] }>; problem?: string } | undefined;
  let section: { from: number; lines: string[] } | undefined;
  lines.forEach((line, i) => {
    const test = /^===\s*(.*?)\s*$/.exec(line);
    const part = /^---\s*(\S+)\s*$/.exec(line);
    if (test) {
      current = { name: `${display(path)}: ${test[1] || `test at line ${i + 1}`}`, sections: new Map() };
      section = undefined;
      const c = current;
      tests.push({ name: c.name, load: () => c.problem ?? sectionsInput(c.sections, path) });
    } else if (part && current) {
      if (!(SECTIONS as readonly string[]).includes(part[1])) current.problem = `line ${i + 1}: unknown section '${part[1]}' (sections are ${SECTIONS.join(', ')})`;
      section = { from: i + 1, lines: [] };
      current.sections.set(part[1], section);
    } else section?.lines.push(line);
  });
  return tests;
}

function sectionsInput(sections: Map<string, { from: number; lines: string[] }>, path: string): TestInput | string {
  // padded with empty lines, so that lines are numbered as in the file
  const text = (name: string) => {
    const s = sections.get(name);
    return s === undefined ? undefined : '\n'.repeat(s.from) + s.lines.join('\n');
  };
  const rules = text('rules');
  const events = text('events');
  if (rules === undefined || events === undefined) return 'a test needs a --- rules and an --- events section';
  const options = text('options');
  const parsedOptions = options === undefined ? {} : readOptions(options, 'the options section');
  if (typeof parsedOptions === 'string') return parsedOptions;
  const expected = (name: string) => {
    const t = text(name);
    return t === undefined ? [] : readExpected(t, path);
  };
  return {
    rules: [{ file: path, text: rules }],
    events,
    expected: expected('expected'),
    expectedLate: expected('expected-late'),
    expectedErrors: expected('expected-errors'),
    options: parsedOptions,
  };
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
  const input = test.load();
  if (typeof input === 'string') return [input];
  const { options } = input;
  // test.json's options are run's, in camel case
  const values = { 'time-zone': options.timeZone, 'epoch-unit': options.epochUnit, fields: options.fields, 'out-of-orderness': options.outOfOrderness };
  const given = optionZone(values);
  const rules = compileRuleTexts(input.rules, given ? { timeZone: given } : {});
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
  lines.write(input.events);
  lines.end();
  engine.flush();
  const report: string[] = [];
  compare(
    'output',
    input.expected,
    produced.outputs.map((o) => o.event),
    times,
    report,
    (i) => involved(produced.outputs[i], produced.lineOf),
  );
  compare('late event', input.expectedLate, produced.late, times, report);
  compare('error line', input.expectedErrors, produced.errors, times, report);
  return report;
}

/** The run options of a test (test.json's object, as `what` names it), or what is wrong with them. */
function readOptions(text: string, what: string): TestOptions | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return `${what} is not JSON: ${(e as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return `${what} must be an object`;
  for (const [k, v] of Object.entries(parsed)) {
    if (!(OPTIONS as readonly string[]).includes(k)) return `${what}: unknown option '${k}' (options are ${OPTIONS.join(', ')})`;
    if (typeof v !== 'string') return `${what}: ${k} must be a string, as on the command line`;
  }
  return parsed as TestOptions;
}

/** The lines of expected values (JSON, one per line; blank lines skipped). */
function readExpected(text: string, path: string): unknown[] {
  return text
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
    process.stderr.write(`cepheus test: no test (a folder with events.jsonl, or a *${TEST_FILE} file) under ${paths.join(', ') || '.'}\n`);
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
