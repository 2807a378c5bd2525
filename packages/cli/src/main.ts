import { createReadStream, createWriteStream, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { compile } from '@cepheus/core';
import { ChainNFA } from '@cepheus/core/internal';
import { parseRules, RuleEngine, RuleError, rulesToJson, type CompiledRule, type TimeZone } from '@cepheus/rules';
import { EventLines } from './event-lines.js';
import { csv, identity, jsonLines } from './output-format.js';
import { LineWriter } from './line-writer.js';
import { fileProblem, loadRules, unkeyedMessage } from './load-rules.js';
import { testCommand } from './test-command.js';
import { traceCommand } from './trace.js';
import { SERVE_HELP, serveCommand } from './serve-command.js';
import { INPUT_OPTIONS, inputReading, inputZone, optionZone, UsageError } from './options.js';

export { LineWriter } from './line-writer.js';
export { parseDuration } from './options.js';

const USAGE = `cepheus: complex event processing rules over JSONL event streams

usage:
  cepheus run RULES... --input FILE|- [--output FILE|-] [--late FILE|-] [--errors FILE|-] [--out-of-orderness 5s]
                       [--fields event_code=code,event_time=ts,user_id=user] [--time-zone Asia/Shanghai]
                       [--epoch-unit ms|s] [--time-format epoch|iso] [--format jsonl|csv] [--watch]
  cepheus test [DIR...]        run the tests in DIR (folders with rules, events.jsonl, expected.jsonl)
  cepheus trace RULES... --input FILE [--rule NAME] [--key K] [--json]
                               why each rule did or did not fire, key by key
  cepheus serve --data DIR [--host H] [--port P] [--config FILE]
                               the rule service: rules over HTTP, a durable log, outputs with ids
  cepheus check RULES...       check rule files; exit code 1 on any error
  cepheus explain RULES...     show each rule's compiled pattern, partition key, engine and JSON form
  cepheus compile RULES... --json
                               print the rules as data (JSON), loadable without the parser
  cepheus COMMAND --help       a command's options;  cepheus --version

Rule files are rule text, or JSON documents (*.json) written by 'cepheus compile --json'.

Input events are JSON lines: {"event_code", "event_time" (epoch ms or "YYYY-MM-DD HH:mm:ss[.SSS]"),
"user_id", "extra_info"}. Output events have the same shape (event_code = the rule's name).
Malformed or invalid lines go to --errors (default: stderr) with their line number; they are
counted and never stop the run. Events at or behind the watermark go to --late (default: counted).`;

/** Each command's own help (`cepheus COMMAND --help`). */
const HELP: Record<string, string> = {
  run: `usage: cepheus run RULES... --input FILE|- [options]

Runs the rules over JSONL events and writes the output events as JSON lines.

  -i, --input FILE|-           the events (- for standard input)
  -o, --output FILE|-          output events (default and -: standard output)
      --late FILE|-            events at or behind the watermark (default: counted only; -: standard output)
      --errors FILE|-          malformed lines and events a rule cannot place (default: standard error; -: standard output)
      --out-of-orderness DUR   how late an event may come and still be reordered (5s, 200ms, 1m; default 0)
      --fields MAPPING         read standard fields from other names: event_code=code,event_time=ts,user_id=user
      --time-zone ZONE         the zone of date-time text without Z or an offset: an IANA name (Asia/Shanghai)
                               or an offset (+08:00); default UTC
      --epoch-unit ms|s        the unit of numeric event_time (default ms; values that look like seconds are warned of)
      --time-format epoch|iso  output event_time as epoch ms (default) or ISO 8601 text in --time-zone
      --format jsonl|csv       output events as JSON lines (default) or CSV (a header, then
                               event_code, event_time, user_id and one column per RETURN field)
      --watch                  reload the rule files when they change (unchanged rules keep their state)
  -h, --help                   this help

A summary line (events, outputs, errors, late, seconds) goes to standard error at the end.`,
  test: `usage: cepheus test [DIR...]

Runs every test under the folders (default: the current one). A test is a folder that holds
  *.cep, *.json           its rules
  events.jsonl            the input events
  expected.jsonl          the output events expected, in order
  expected-late.jsonl     the late events expected (absent: none)
  expected-errors.jsonl   the error lines expected (absent: none)
  test.json               run options: {"outOfOrderness": "5s", "timeZone": "Asia/Shanghai",
                          "epochUnit": "s", "fields": "event_code=code,..."}
Expected lines match partially: fields they leave out are not compared, and an expected
event_time may be date-time text. Each failing test prints its differences with the events of
the matches involved. The last line is 'N passed, M failed'; exit code 1 when any failed.`,
  trace: `usage: cepheus trace RULES... --input FILE [options]

Explains, for each rule (or the one named), key by key, what each event did to each partial match:
taken by which variable, ignored (and which conditions failed, on what values), or why the partial
match ended (window passed, strict contiguity broken, negation seen, pruned by the after-match
strategy), and the matches made.

      --input FILE             the events
      --rule NAME              trace this rule only
      --key K                  trace this partition key only (as output user_id shows it)
      --json                   the trace as JSON
      --out-of-orderness DUR, --fields, --time-zone, --epoch-unit   as for run`,
  check: `usage: cepheus check RULES...

Parses and compiles the rule files; prints every error with file, line and column. Exit code 1 on
any error, 0 otherwise.`,
  explain: `usage: cepheus explain RULES...

For each rule: the runtime that runs it, the codes it reads, its partition key and how it was
chosen, its window, its after-match strategy, the pattern it compiles to and its NFA states.`,
  serve: SERVE_HELP,
  compile: `usage: cepheus compile RULES... --json

Prints the rules as one JSON document (format cepheus-rules), loadable by 'cepheus run' without
the parser.`,
};

/** The package's version, from its package.json (one level above src/ and dist/). */
function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

/** Runs the command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command !== undefined && command in HELP && (rest.includes('--help') || rest.includes('-h'))) {
      process.stdout.write(HELP[command] + '\n');
      return 0;
    }
    switch (command) {
      case 'run':
        return await run(rest);
      case 'check':
        return check(rest);
      case 'explain':
        return explain(rest);
      case 'compile':
        return compileJson(rest);
      case 'test':
        return testCommand(parse(rest).positionals);
      case 'trace':
        return await traceCommand(rest, parse as Parameters<typeof traceCommand>[1]);
      case 'serve':
        return await serveCommand(rest);
      case '--version':
      case '-V':
      case 'version':
        process.stdout.write(`cepheus ${version()}\n`);
        return 0;
      case 'help':
        if (rest[0] !== undefined && rest[0] in HELP) {
          process.stdout.write(HELP[rest[0]] + '\n');
          return 0;
        }
        process.stdout.write(USAGE + '\n');
        return 0;
      case undefined:
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`cepheus: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof RuleError) {
      process.stderr.write(e.format() + '\n');
      return 1;
    }
    process.stderr.write(`cepheus: ${(e as Error).message ?? e}\n`);
    return 1;
  }
}

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = {}) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function check(args: string[]): number {
  const { positionals } = parse(args);
  const rules = loadRules(positionals);
  if (!rules) return 1;
  process.stdout.write(`ok: ${rules.length} rule${rules.length === 1 ? '' : 's'} in ${positionals.length} file${positionals.length === 1 ? '' : 's'}\n`);
  return 0;
}

function explain(args: string[]): number {
  const { positionals } = parse(args);
  const rules = loadRules(positionals);
  if (!rules) return 1;
  const json = new Map(
    positionals
      .filter((f) => !f.endsWith('.json'))
      .flatMap((f) => rulesToJson(parseRules(readFileSync(f, 'utf8'), f)).rules)
      .map((r) => [r.name, r]),
  );
  for (const r of rules) {
    const matcher = r.pattern ? compile(r.pattern) : undefined; // the runtime the operator would pick
    const lines = [
      `rule ${r.name}`,
      `  engine:         ${matcher === undefined ? 'windowed aggregation (fast path, no NFA)' : matcher instanceof ChainNFA ? 'NFA, chain runtime (a straight sequence: no shared buffer)' : 'NFA, path runtime (any pattern: each run holds its path of events)'}`,
      `  reads:          ${r.allEvents ? `every event of its partition (strict contiguity; narrow it with INPUT ${[...r.codes].join(' | ')})` : [...r.codes].join(', ')}`,
      `  partition key:  ${r.keyDescription}`,
      `  window:         ${r.withinMs === undefined ? 'none' : `${r.withinMs} ms`}`,
      `  after match:    ${r.skip}`,
      `  pattern:        ${r.patternText}`,
    ];
    if (matcher) {
      lines.push('  NFA states:');
      for (const s of matcher.compiled.states) lines.push(`    ${s.toString()}`);
    }
    const doc = json.get(r.name);
    if (doc) lines.push(`  as data (cepheus compile --json): ${JSON.stringify(doc)}`);
    process.stdout.write(lines.join('\n') + '\n\n');
  }
  return 0;
}

function compileJson(args: string[]): number {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (!values.json) throw new UsageError('compile writes the JSON form: give --json');
  if (!loadRules(positionals)) return 1; // report every error first
  const asts = positionals.flatMap((f) => parseRules(readFileSync(f, 'utf8'), f));
  process.stdout.write(JSON.stringify(rulesToJson(asts), null, 2) + '\n');
  return 0;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    late: { type: 'string' },
    errors: { type: 'string' },
    ...INPUT_OPTIONS,
    'time-format': { type: 'string' },
    format: { type: 'string' },
    watch: { type: 'boolean' },
  });
  if (values.input === undefined) throw new UsageError('run needs --input FILE (or - for standard input)');
  const timeFormat = values['time-format'] ?? 'epoch';
  if (timeFormat !== 'epoch' && timeFormat !== 'iso') throw new UsageError(`--time-format: '${timeFormat}' is not epoch or iso`);
  const outputFormat = values.format ?? 'jsonl';
  if (outputFormat !== 'jsonl' && outputFormat !== 'csv') throw new UsageError(`--format: '${outputFormat}' is not jsonl or csv`);
  const given = optionZone(values);
  const rules = loadRules(positionals, given ? { timeZone: given } : {});
  if (!rules) return 1;
  const { times, decode, outOfOrdernessMs } = inputReading(values, inputZone(values, rules));

  const byName = new Map<string, CompiledRule>(rules.map((r) => [r.name, r]));
  const time = timeFormat === 'iso' ? (ms: number) => times.zone.formatIso(ms) : identity;
  const format = outputFormat === 'csv' ? csv(rules, time) : jsonLines(time);
  // '-' is standard output for each of them
  const sink = (name: string) => (name === '-' ? process.stdout : createWriteStream(name));
  const out = new LineWriter(values.output === undefined ? process.stdout : sink(String(values.output)));
  if (format.header !== undefined) out.write(format.header);
  const lateOut = values.late === undefined ? undefined : new LineWriter(sink(String(values.late)));
  const errOut = new LineWriter(values.errors === undefined ? process.stderr : sink(String(values.errors)));
  let errors = 0;
  // a reader that goes away (`| head`) ends the run quietly; any other write failure is reported
  let outputFailure: NodeJS.ErrnoException | undefined;
  const writers = [out, errOut, ...(lateOut ? [lateOut] : [])];
  for (const w of writers) w.onError((e) => (outputFailure ??= e));
  const engine = new RuleEngine({
    rules,
    outOfOrdernessMs,
    onOutput: (e) => out.write(format.line(e)),
    onLate: (e, rule) => lateOut?.write(JSON.stringify(rule ? { rule, event: e } : e)),
    onUnkeyed: (e, rule) => {
      errors++;
      errOut.write(JSON.stringify({ rule, error: unkeyedMessage(byName.get(rule)!), event: e }));
    },
  });

  const stopWatching = values.watch ? watchRules(positionals, times.zone, engine, byName) : undefined;
  const started = performance.now();
  const progress = process.stderr.isTTY ? setInterval(() => process.stderr.write(`\r\x1b[K${status()}`), 1000) : undefined;
  const status = () => {
    const s = (performance.now() - started) / 1000;
    return `${engine.stats.events} events (${Math.round(engine.stats.events / Math.max(s, 1e-9))}/s), ${engine.stats.outputs} outputs, ${errors} errors, ${engine.stats.late} late`;
  };

  const input = values.input === '-' ? process.stdin : createReadStream(String(values.input), { highWaterMark: 1 << 20 });
  const lines = new EventLines(
    decode,
    (event) => engine.push(event),
    (error) => {
      errors++;
      errOut.write(JSON.stringify(error));
    },
  );
  try {
    // lines are handled synchronously chunk by chunk: an await per line would cost more than parsing it
    for await (const chunk of input) {
      if (outputFailure) break;
      lines.write(chunk as Buffer | string);
      // waits while a reader is slow: errors and late events too, or they could outgrow memory
      for (const w of writers) await w.flush();
    }
    if (!outputFailure) {
      lines.end();
      engine.flush();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && (e as NodeJS.ErrnoException).syscall !== undefined) {
      process.stderr.write(`cepheus: cannot read input ${values.input}: ${fileProblem(e as NodeJS.ErrnoException)}\n`);
      return 1;
    }
    throw e;
  } finally {
    if (progress) clearInterval(progress);
    stopWatching?.();
  }
  await Promise.all(writers.map((w) => w.close()));
  if (outputFailure && outputFailure.code !== 'EPIPE') {
    process.stderr.write(`cepheus: cannot write output: ${outputFailure.message}\n`);
    return 1;
  }
  const secs = (performance.now() - started) / 1000;
  const lateNote = engine.stats.late > 0 && !lateOut ? ' (not written: give --late FILE to keep them)' : '';
  const n = times.looksLikeSeconds;
  const secondsNote =
    n > 0 ? `; ${n} warning${n === 1 ? '' : 's'}: event_time ${n === 1 ? 'looks' : 'values look'} like epoch seconds, read as ms (give --epoch-unit s if they are seconds)` : '';
  process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${status()}${lateNote}${secondsNote}; ${secs.toFixed(2)} s\n`);
  return 0;
}

/**
 * --watch: reloads the rule files when one changes (polled every 250 ms, which works on every
 * file system) and says what changed on standard error. Rules that do not compile are reported and
 * the running ones kept. Returns the function that stops watching.
 */
function watchRules(files: string[], zone: TimeZone, engine: RuleEngine, byName: Map<string, CompiledRule>): () => void {
  const reload = () => {
    const rules = loadRules(files, { timeZone: zone });
    if (rules === undefined) {
      process.stderr.write('cepheus: the changed rules do not compile (errors above); the running rules are kept\n');
      return;
    }
    const { added, changed, removed, kept } = engine.replaceRules(rules);
    byName.clear();
    for (const r of rules) byName.set(r.name, r);
    const list = (what: string, names: string[]) => (names.length > 0 ? [`${what} ${names.join(', ')}`] : []);
    const parts = [...list('added', added), ...list('changed', changed), ...list('removed', removed), `${kept.length} unchanged`];
    process.stderr.write(`cepheus: rules reloaded: ${parts.join('; ')}\n`);
  };
  const listener = (now: { mtimeMs: number }, before: { mtimeMs: number }) => {
    if (now.mtimeMs !== before.mtimeMs) reload();
  };
  for (const f of files) watchFile(f, { interval: 250 }, listener);
  process.stderr.write(`cepheus: watching ${files.length} rule file${files.length === 1 ? '' : 's'} for changes\n`);
  return () => {
    for (const f of files) unwatchFile(f, listener);
  };
}
