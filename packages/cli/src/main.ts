import { createReadStream, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { compile } from '@cepheus/core';
import { ChainNFA } from '@cepheus/core/internal';
import {
  compileRules,
  dependencyOrder,
  EventError,
  eventLineDecoder,
  isBlankLine,
  loadRulesJson,
  parseRules,
  RuleEngine,
  RuleError,
  ruleError,
  rulesToJson,
  STANDARD_FIELDS,
  TimeReader,
  TimeZone,
  type CompiledRule,
  type EventFields,
  type StandardEvent,
} from '@cepheus/rules';
import { ChunkDecoder } from './chunk-decoder.js';

const USAGE = `cepheus: complex event processing rules over JSONL event streams

usage:
  cepheus run RULES... --input FILE|- [--output FILE|-] [--late FILE|-] [--errors FILE|-] [--out-of-orderness 5s]
                       [--fields event_code=code,event_time=ts,user_id=user] [--time-zone Asia/Shanghai]
                       [--epoch-unit ms|s] [--time-format epoch|iso]
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
  -h, --help                   this help

A summary line (events, outputs, errors, late, seconds) goes to standard error at the end.`,
  check: `usage: cepheus check RULES...

Parses and compiles the rule files; prints every error with file, line and column. Exit code 1 on
any error, 0 otherwise.`,
  explain: `usage: cepheus explain RULES...

For each rule: the runtime that runs it, the codes it reads, its partition key and how it was
chosen, its window, its after-match strategy, the pattern it compiles to and its NFA states.`,
  compile: `usage: cepheus compile RULES... --json

Prints the rules as one JSON document (format cepheus-rules), loadable by 'cepheus run' without
the parser.`,
};

/** The package's version, from its package.json (one level above src/ and dist/). */
function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

class UsageError extends Error {}

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

/** Reads and compiles rule files; prints every error and returns undefined if there was one. */
function loadRules(files: string[]): CompiledRule[] | undefined {
  if (files.length === 0) throw new UsageError('give at least one rule file');
  const rules: CompiledRule[] = [];
  let failed = false;
  const report = (e: RuleError) => {
    process.stderr.write(`${e.format()}\n\n`);
    failed = true;
  };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`error: cannot read rule file ${file}: ${fileProblem(e as NodeJS.ErrnoException)}\n  --> ${file}\n\n`);
      failed = true;
      continue;
    }
    try {
      rules.push(...(file.endsWith('.json') ? loadRulesJson(text, file) : compileRules(text, file)));
    } catch (e) {
      if (e instanceof RuleError) report(e);
      else if (e instanceof SyntaxError || (e as Error).name === 'RuleJsonError') {
        process.stderr.write(`error: ${(e as Error).message}\n  --> ${file}\n\n`);
        failed = true;
      } else throw e;
    }
  }
  const byName = new Map<string, CompiledRule>();
  for (const r of rules) {
    const first = byName.get(r.name);
    if (first !== undefined) {
      const { line, column } = first.origin.src.span(first.origin.at);
      report(
        ruleError(
          r,
          `two rules are named "${r.name}"`,
          `the first is at ${first.origin.src.file}:${line}:${column}; rule names must be unique across files (they become the output event_code)`,
        ),
      );
    } else byName.set(r.name, r);
  }
  if (failed) return undefined;
  try {
    dependencyOrder(rules); // rule chains must not form a cycle
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    report(e);
    return undefined;
  }
  return rules;
}

/** Why a file could not be read, in words. */
function fileProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e.message;
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
    'out-of-orderness': { type: 'string' },
    fields: { type: 'string' },
    'time-zone': { type: 'string' },
    'epoch-unit': { type: 'string' },
    'time-format': { type: 'string' },
  });
  if (values.input === undefined) throw new UsageError('run needs --input FILE (or - for standard input)');
  const outOfOrdernessMs = values['out-of-orderness'] === undefined ? 0 : parseDuration(String(values['out-of-orderness']));
  const times = timeReader(values['time-zone'] as string | undefined, values['epoch-unit'] as string | undefined);
  const timeFormat = values['time-format'] ?? 'epoch';
  if (timeFormat !== 'epoch' && timeFormat !== 'iso') throw new UsageError(`--time-format: '${timeFormat}' is not epoch or iso`);
  const decode = eventLineDecoder(values.fields === undefined ? STANDARD_FIELDS : fieldMapping(String(values.fields)), times);
  const rules = loadRules(positionals);
  if (!rules) return 1;

  const keyOfRule = new Map(rules.map((r) => [r.name, r.keyDescription]));
  // '-' is standard output for each of them
  const sink = (name: string) => (name === '-' ? process.stdout : createWriteStream(name));
  const out = new LineWriter(values.output === undefined ? process.stdout : sink(String(values.output)));
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
    onOutput: timeFormat === 'iso' ? (e) => out.write(JSON.stringify({ ...e, event_time: times.zone.formatIso(e.event_time) })) : (e) => out.write(JSON.stringify(e)),
    onLate: (e, rule) => lateOut?.write(JSON.stringify(rule ? { rule, event: e } : e)),
    onUnkeyed: (e, rule) => {
      errors++;
      errOut.write(JSON.stringify({ rule, error: `lacks the partition key ${keyOfRule.get(rule)}: skipped by this rule`, event: e }));
    },
  });

  const started = performance.now();
  const progress = process.stderr.isTTY ? setInterval(() => process.stderr.write(`\r\x1b[K${status()}`), 1000) : undefined;
  const status = () => {
    const s = (performance.now() - started) / 1000;
    return `${engine.stats.events} events (${Math.round(engine.stats.events / Math.max(s, 1e-9))}/s), ${engine.stats.outputs} outputs, ${errors} errors, ${engine.stats.late} late`;
  };

  const input = values.input === '-' ? process.stdin : createReadStream(String(values.input), { highWaterMark: 1 << 20 });
  let lineNo = 0;
  /** Handles the line text[start, end), decoded in place in the chunk read (most lines never become a string). */
  // The chunk being read had bytes that are not UTF-8: its lines with a U+FFFD are reported, not
  // read (a line that spells a U+FFFD out validly in such a chunk is reported with them).
  let invalidBytes = false;
  const handle = (text: string, start: number, end: number): void => {
    lineNo++;
    if (isBlankLine(text, start, end)) return;
    if (invalidBytes) {
      const at = text.indexOf('\ufffd', start);
      if (at >= 0 && at < end) {
        errors++;
        errOut.write(JSON.stringify({ line: lineNo, error: 'bytes that are not UTF-8 (shown as U+FFFD in text)', text: text.slice(start, Math.min(end, start + 200)) }));
        return;
      }
    }
    let event: StandardEvent;
    try {
      event = decode(text, start, end);
    } catch (e) {
      if (!(e instanceof SyntaxError) && !(e instanceof EventError)) throw e;
      errors++;
      const error = e instanceof SyntaxError ? `malformed JSON: ${e.message}` : (e as EventError).message;
      errOut.write(JSON.stringify({ line: lineNo, error, text: text.slice(start, Math.min(end, start + 200)) }));
      return;
    }
    engine.push(event);
  };
  try {
    // lines are handled synchronously chunk by chunk: an await per line would cost more than parsing it
    const decoder = new ChunkDecoder();
    let rest = ''; // a line begun in an earlier chunk
    for await (const chunk of input) {
      if (outputFailure) break;
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      // a line begun in an earlier chunk keeps that chunk's verdict too
      invalidBytes = decoder.invalid > 0 || (rest.length > 0 && invalidBytes);
      let start = 0;
      let nl = text.indexOf('\n');
      if (rest.length > 0) {
        // the line across chunks is joined on its own: the chunk stays a flat string (reading a
        // concatenation character by character is slower)
        if (nl < 0) {
          rest += text;
          continue;
        }
        const line = rest + text.slice(0, nl);
        rest = '';
        handle(line, 0, lineEnd(line, 0, line.length));
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      for (; nl >= 0; nl = text.indexOf('\n', start)) {
        handle(text, start, lineEnd(text, start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      // waits while a reader is slow: errors and late events too, or they could outgrow memory
      for (const w of writers) await w.flush();
    }
    if (!outputFailure) {
      rest += decoder.end();
      invalidBytes = decoder.invalid > 0 || invalidBytes;
      if (rest.length > 0) handle(rest, 0, rest.length);
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

/** How event times are read: --time-zone (an IANA name or an offset; default UTC) and --epoch-unit (ms or s). */
function timeReader(zone: string | undefined, unit: string | undefined): TimeReader {
  if (unit !== undefined && unit !== 'ms' && unit !== 's') throw new UsageError(`--epoch-unit: '${unit}' is not ms or s`);
  let tz = TimeZone.UTC;
  if (zone !== undefined) {
    try {
      tz = TimeZone.parse(zone);
    } catch (e) {
      throw new UsageError(`--time-zone: ${(e as Error).message}`);
    }
  }
  return new TimeReader(tz, unit ?? 'ms');
}

/** `event_code=code,event_time=ts,...`: reads standard events from differently named input fields. */
function fieldMapping(spec: string): EventFields {
  const standard = Object.keys(STANDARD_FIELDS) as (keyof EventFields)[];
  const pairs = spec.split(',').map((p) => p.trim().split('='));
  for (const p of pairs) {
    if (p.length !== 2 || !(standard as string[]).includes(p[0]) || p[1] === '')
      throw new UsageError(`--fields: '${p.join('=')}' is not STANDARD=input with STANDARD one of ${standard.join(', ')}`);
  }
  return { ...STANDARD_FIELDS, ...(Object.fromEntries(pairs) as Partial<EventFields>) };
}

/** Where the line text[start, nl) ends without its carriage return (CRLF files). */
const lineEnd = (text: string, start: number, nl: number): number => (nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);

/**
 * Buffers output lines and writes them in pieces of about 64 KiB. The run waits (flush) at read-chunk
 * boundaries while the stream is backed up; within a chunk, lines go on to the stream's own buffer.
 */
export class LineWriter {
  private buf: string[] = [];
  pending = 0;
  private failed = false;
  private handler: (e: NodeJS.ErrnoException) => void = () => {};

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Write errors (EPIPE when the reader went away, ENOSPC, ...) go to `handler` instead of crashing. */
  onError(handler: (e: NodeJS.ErrnoException) => void): void {
    this.handler = handler;
    this.stream.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
  }

  private fail(e: NodeJS.ErrnoException): void {
    this.failed = true;
    this.handler(e);
  }

  write(line: string): void {
    this.buf.push(line);
    this.pending += line.length + 1;
    if (this.pending > 1 << 16) this.spill();
  }

  /** Hands the buffered lines to the stream. */
  private spill(): void {
    if (this.failed) this.buf = [];
    if (this.buf.length === 0) return;
    const data = this.buf.join('\n') + '\n';
    this.buf = [];
    this.pending = 0;
    this.stream.write(data);
  }

  async flush(): Promise<void> {
    this.spill();
    const stream = this.stream as WriteStream;
    // asked of the stream, not remembered from write(): a drain may have come and gone since
    if (!stream.writableNeedDrain || this.failed) return;
    await new Promise<void>((resolve) => {
      // whichever comes first removes the other, so waits do not pile up listeners
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('error', done);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.failed || this.stream === process.stdout || this.stream === process.stderr) return;
    // the end callback gets a failed final write's error before the 'error' event does
    await new Promise<void>((resolve) =>
      (this.stream as WriteStream).end((e?: NodeJS.ErrnoException | null) => {
        if (e) this.fail(e);
        resolve();
      }),
    );
  }
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`cannot read the duration '${text}': use e.g. 500ms, 5s, 2m, 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}
