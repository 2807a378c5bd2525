import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Writable } from 'node:stream';
import { LineWriter, main, parseDuration } from '../src/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-cli-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean);

let stderr = '';
let stdout = '';
beforeEach(() => {
  stderr = stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const AB = 'RULENAME "ab"\na: A\nb: B\nEVENT a -> b\nWITHIN 10 SECONDS\nRETURN first=a.extra_info.n, second=b.extra_info.n\n';
const ev = (code: string, t: number, n: number, user = 'u') => JSON.stringify({ event_code: code, event_time: t, user_id: user, extra_info: { n } });

describe('cepheus check', () => {
  it('exits 0 and says ok for valid rules', async () => {
    expect(await main(['check', file('ok.cep', AB)])).toBe(0);
    expect(stdout).toContain('ok: 1 rule in 1 file');
  });

  it('exits 1 with a positioned error for invalid rules', async () => {
    expect(await main(['check', file('bad.cep', 'RULENAME "x"\na: A\nEVENT a -> zz\n')])).toBe(1);
    expect(stderr).toContain("unknown variable 'zz'");
    expect(stderr).toContain('bad.cep:3:12');
  });

  it('rejects rules that feed each other in a cycle', async () => {
    const text = 'RULENAME "p"\nq: q\nEVENT q\nREPEAT 2+\nWITHIN 1 MINUTE\n\nRULENAME "q"\np: p\nEVENT p\nREPEAT 2+\nWITHIN 1 MINUTE\n';
    expect(await main(['check', file('cycle.cep', text)])).toBe(1);
    expect(stderr).toMatch(/cycle: (p -> q -> p|q -> p -> q)/);
    expect(stderr).toMatch(/cycle\.cep:(2|8):1/);
  });

  it('places a rule name used in two files at the second, and says where the first is', async () => {
    const one = file('one.cep', AB);
    const two = file('two.cep', `-- the same name\n${AB}`);
    expect(await main(['check', one, two])).toBe(1);
    expect(stderr).toContain('two rules are named "ab"');
    expect(stderr).toContain(`${two}:2:1`);
    expect(stderr).toContain(`the first is at ${one}:1:1`);
  });

  it('reports every error of every file, and a file it cannot read in words', async () => {
    const bad = file('bad-many.cep', 'RULENAME "x"\na: A\nEVENT a -> zz\n\nRULENAME "y"\na: A\nEVENT a\nWERE a.v = 1\n');
    expect(await main(['check', bad, join(dir, 'missing.cep')])).toBe(1);
    expect(stderr).toContain(`${bad}:3:12`);
    expect(stderr).toContain(`${bad}:8:1`);
    expect(stderr).toContain('did you mean WHERE?');
    expect(stderr).toContain('2 errors');
    expect(stderr).toContain(`cannot read rule file ${join(dir, 'missing.cep')}: no such file`);
    expect(stderr).not.toContain('ENOENT');
  });

  it('explains the compiled rule', async () => {
    expect(await main(['explain', file('ok2.cep', AB)])).toBe(0);
    expect(stdout).toContain("Pattern.begin('a', skipPastLastEvent())");
    expect(stdout).toContain('partition key:  user_id (default)');
    expect(stdout).toContain('NFA states:');
    expect(stdout).toContain('as data (cepheus compile --json): {"name":"ab","type":"COMPOSITE"');
  });

  it('says which runtime runs an NFA rule', async () => {
    expect(await main(['explain', file('chain.cep', 'RULENAME "c"\na: A\nb: B\nEVENT a -> b\nWITHIN 1 MINUTE\n')])).toBe(0);
    expect(stdout).toContain('engine:         NFA, chain runtime');
    stdout = '';
    expect(await main(['explain', file('loop.cep', 'RULENAME "l"\na: A\nb: B\nEVENT a -> b+\nWITHIN 1 MINUTE\n')])).toBe(0);
    expect(stdout).toContain('engine:         NFA, path runtime');
  });
});

describe('help and version', () => {
  it('prints the version', async () => {
    expect(await main(['--version'])).toBe(0);
    expect(stdout).toMatch(/^cepheus \d+\.\d+\.\d+\n$/);
  });

  it.each(['run', 'check', 'explain', 'compile'])('prints the help of %s', async (command) => {
    expect(await main([command, '--help'])).toBe(0);
    expect(stdout).toContain(`usage: cepheus ${command}`);
    stdout = '';
    expect(await main(['help', command])).toBe(0);
    expect(stdout).toContain(`usage: cepheus ${command}`);
  });
});

describe('cepheus run', () => {
  it('reorders events within --out-of-orderness and sends later ones to --late', async () => {
    const input = file('in.jsonl', [ev('A', 1000, 1), ev('B', 2500, 2), ev('A', 600, 3), ev('X', 9000, 0), ev('B', 1500, 4), ''].join('\n'));
    const out = join(dir, 'out.jsonl');
    const late = join(dir, 'late.jsonl');
    expect(await main(['run', file('ab.cep', AB), '--input', input, '--output', out, '--late', late, '--out-of-orderness', '2s'])).toBe(0);
    // A@600 arrived after B@2500 but within 2 s, so it is put first and its match wins (skip past last
    // event drops A@1000's); B@1500 came after X@9000 moved the watermark to 6999: late
    expect(lines(out).map((l) => JSON.parse(l).extra_info)).toEqual([{ first: 3, second: 2 }]);
    expect(lines(late).map((l) => JSON.parse(l).extra_info.n)).toEqual([4]);
    expect(stderr).toMatch(/5 events .* 1 outputs, 0 errors, 1 late/);
  });

  it("takes '-' for standard output in --late and --errors, as in --output", async () => {
    const input = file('dash.jsonl', [ev('A', 5000, 1), ev('B', 1000, 2), '{bad', ev('B', 6000, 3)].join('\n'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await main(['run', file('dash.cep', AB), '--input', input, '--output', join(dir, 'dash-out.jsonl'), '--late', '-', '--errors', '-'])).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(dir, '-'))).toBe(false);
    const written = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    // each kind is written in its own order; the two kinds are not interleaved by time
    expect(written.filter((w) => 'event_code' in w)).toMatchObject([{ event_code: 'B', extra_info: { n: 2 } }]);
    expect(written.filter((w) => 'line' in w)).toMatchObject([{ line: 3, error: expect.stringMatching(/malformed JSON/) }]);
    expect(written).toHaveLength(2);
  });

  it('reports an event that lacks a PARTITION BY field as an error of that rule', async () => {
    const rule = 'RULENAME "shop"\na: A\nb: B\nEVENT a -> b\nPARTITION BY a.extra_info.shop\nWITHIN 10 SECONDS\n';
    const input = file('unkeyed.jsonl', [ev('A', 1, 1), ev('B', 2, 2)].join('\n'));
    const errors = join(dir, 'unkeyed-err.jsonl');
    expect(await main(['run', file('shop.cep', rule), '--input', input, '--output', join(dir, 'unkeyed-out.jsonl'), '--errors', errors])).toBe(0);
    expect(lines(errors).map((l) => JSON.parse(l))).toMatchObject([
      { rule: 'shop', error: 'lacks the partition key extra_info.shop (PARTITION BY): skipped by this rule', event: { event_code: 'A' } },
      { rule: 'shop', event: { event_code: 'B' } },
    ]);
    expect(lines(join(dir, 'unkeyed-out.jsonl'))).toEqual([]);
    expect(stderr).toMatch(/0 outputs, 2 errors/);
  });

  it('reads times in --time-zone and writes them back as ISO 8601 with --time-format iso', async () => {
    const at = (code: string, time: string | number) => JSON.stringify({ event_code: code, event_time: time, user_id: 'u', extra_info: { n: 0 } });
    const input = file('zone.jsonl', [at('A', '2024-01-01 10:00:00'), at('B', '2024-01-01 02:00:05Z')].join('\n'));
    const out = join(dir, 'zone-out.jsonl');
    expect(await main(['run', file('zone.cep', AB), '--input', input, '--output', out, '--time-zone', 'Asia/Shanghai', '--time-format', 'iso'])).toBe(0);
    expect(lines(out).map((l) => JSON.parse(l).event_time)).toEqual(['2024-01-01T10:00:05.000+08:00']);
    expect(await main(['run', file('zone2.cep', AB), '--input', input, '--time-zone', 'Mars/Base'])).toBe(2);
    expect(stderr).toContain("--time-zone: unknown time zone 'Mars/Base'");
  });

  it('warns of epoch times that look like seconds, and reads seconds with --epoch-unit s', async () => {
    // 20 apart: 20 ms (within AB's 10 s) read as ms, 20 s (beyond it) read as seconds
    const input = file('secs.jsonl', [ev('A', 1_700_000_000, 1), ev('B', 1_700_000_020, 2)].join('\n'));
    const out = join(dir, 'secs-out.jsonl');
    expect(await main(['run', file('secs.cep', AB), '--input', input, '--output', out])).toBe(0);
    expect(stderr).toContain('2 warnings: event_time values look like epoch seconds, read as ms (give --epoch-unit s');
    expect(lines(out)).toHaveLength(1);
    stderr = '';
    expect(await main(['run', file('secs2.cep', AB), '--input', input, '--output', out, '--epoch-unit', 's'])).toBe(0);
    expect(stderr).not.toContain('warning');
    expect(lines(out)).toHaveLength(0);
  });

  it('reports lines with bytes that are not UTF-8, and reads the others', async () => {
    const p = join(dir, 'latin1.jsonl');
    const good = Buffer.from(`${ev('A', 1, 1)}\n`);
    const bad = Buffer.concat([Buffer.from('{"event_code":"B","event_time":2,"user_id":"u","extra_info":{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}}\n')]);
    const fine = Buffer.from(`${JSON.stringify({ event_code: 'B', event_time: 3, user_id: 'u', extra_info: { n: '中文' } })}\n`);
    writeFileSync(p, Buffer.concat([good, bad, fine]));
    const out = join(dir, 'latin1-out.jsonl');
    const errors = join(dir, 'latin1-err.jsonl');
    expect(await main(['run', file('latin1.cep', AB), '--input', p, '--output', out, '--errors', errors])).toBe(0);
    expect(lines(errors).map((l) => JSON.parse(l))).toMatchObject([{ line: 2, error: expect.stringContaining('not UTF-8') }]);
    expect(lines(out).map((l) => JSON.parse(l).extra_info)).toEqual([{ first: 1, second: '中文' }]);
    expect(stderr).toMatch(/1 errors/);
  });

  it('writes CSV with --format csv: a header, then a column per RETURN field, quoted where needed', async () => {
    const rules = `${AB}\nRULENAME "one"\nx: X\nEVENT x\nRETURN note=x.extra_info.note, n=x.extra_info.n\n`;
    const input = file(
      'csv.jsonl',
      [ev('A', 1, 1), ev('B', 2, 2), JSON.stringify({ event_code: 'X', event_time: 3, user_id: 'u', extra_info: { note: 'a "b", c', n: [1, 2] } })].join('\n'),
    );
    const out = join(dir, 'out.csv');
    expect(await main(['run', file('csv.cep', rules), '--input', input, '--output', out, '--format', 'csv'])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('event_code,event_time,user_id,first,second,note,n\nab,2,u,1,2,,\none,3,u,,,"a ""b"", c","[1,2]"\n');
    expect(await main(['run', file('csv2.cep', rules), '--input', input, '--format', 'xml'])).toBe(2);
  });

  it('reports bad lines with their numbers and keeps going', async () => {
    const input = file('bad.jsonl', [ev('A', 1, 1), '{not json', JSON.stringify({ event_code: 'A', event_time: 'yesterday', user_id: 'u' }), ev('B', 2, 2)].join('\n'));
    const out = join(dir, 'out2.jsonl');
    const errors = join(dir, 'err.jsonl');
    expect(await main(['run', file('ab2.cep', AB), '--input', input, '--output', out, '--errors', errors])).toBe(0);
    expect(lines(out)).toHaveLength(1);
    expect(lines(errors).map((l) => JSON.parse(l))).toMatchObject([
      { line: 2, error: expect.stringMatching(/malformed JSON/) },
      { line: 3, error: expect.stringMatching(/event_time "yesterday"/) },
    ]);
  });

  it('writes error lines out as the run goes, in bounded pieces, however many lines are bad', async () => {
    // 300,000 bad lines make about 25 MB of error lines: held back to the end, they would be one
    // string (past V8's limit on inputs ten times larger: the run crashed on W1's 5M lines)
    const input = file('allbad.jsonl', '{"x":1}\n'.repeat(300_000));
    const writes: number[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (writes.push(String(s).length), true));
    expect(await main(['run', file('ab3.cep', AB), '--input', input])).toBe(0);
    expect(writes.reduce((a, b) => a + b, 0)).toBeGreaterThan(20_000_000);
    expect(Math.max(...writes)).toBeLessThan(1 << 20);
  });

  it('reads any line layout: a BOM, CRLF, blank lines, non-ASCII text, lines across read chunks', async () => {
    // about 2.5 MiB: the reader's 1 MiB chunks end inside lines
    const events: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const user = `u${i}`;
      events.push(JSON.stringify({ event_code: 'A', event_time: 2 * i, user_id: user, extra_info: { n: `é✓${i}`, pad: 'x'.repeat(i % 97) } }));
      events.push(`  {"event_code" : "B", "user_id":"${user}", "event_time":${2 * i + 1},"extra_info":"{\\"n\\":${i}}"}\t`);
      if (i % 1000 === 0) events.push('', ' \t');
    }
    const input = file('layout.jsonl', '\ufeff' + events.join('\r\n') + '\r\n');
    const out = join(dir, 'layout-out.jsonl');
    expect(await main(['run', file('layout.cep', AB), '--input', input, '--output', out])).toBe(0);
    const outputs = lines(out).map((l) => JSON.parse(l));
    expect(outputs).toHaveLength(20000);
    expect(outputs[12345]).toMatchObject({ user_id: 'u12345', event_time: 24691, extra_info: { first: 'é✓12345', second: 12345 } });
    expect(stderr).toMatch(/40000 events .* 20000 outputs, 0 errors/);
  });

  it('explains usage mistakes with exit code 2', async () => {
    expect(await main(['run', file('ab3.cep', AB)])).toBe(2);
    expect(stderr).toContain('run needs --input');
    expect(await main(['frobnicate'])).toBe(2);
    expect(await main(['run', file('ab4.cep', AB), '--input', 'x', '--out-of-orderness', 'soon'])).toBe(2);
    expect(stderr).toContain("cannot read the duration 'soon'");
  });

  // /dev/full fails every write with ENOSPC; it exists on Linux (where CI runs), not everywhere
  it.skipIf(!existsSync('/dev/full'))('reports an output it cannot write in one line, with exit code 1', async () => {
    const input = file('w.jsonl', [ev('A', 1, 1), ev('B', 2, 2)].join('\n'));
    expect(await main(['run', file('ab5.cep', AB), '--input', input, '--output', '/dev/full'])).toBe(1);
    expect(stderr).toContain('cepheus: cannot write output: ENOSPC');
  });

  it('reads durations', () => {
    expect([parseDuration('250'), parseDuration('5s'), parseDuration('2m'), parseDuration('1.5h')]).toEqual([250, 5000, 120000, 5400000]);
  });
});

describe('output writer', () => {
  it('waits for a slow reader without piling up listeners', async () => {
    const chunks: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        setImmediate(done);
      },
    });
    const w = new LineWriter(slow);
    w.onError(() => {});
    for (let i = 0; i < 50; i++) {
      w.write(`line ${i}`);
      await w.flush();
    }
    await w.close();
    expect(chunks.join('')).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
    expect(slow.listenerCount('error')).toBe(1); // the writer's own handler only
    expect(slow.listenerCount('drain')).toBe(0);
  });
});

describe('cepheus test', () => {
  const example = (name: string) => join(fileURLToPath(new URL('../../../examples', import.meta.url)), name);
  const testDir = (name: string, expected: string, extra: Record<string, string> = {}) => {
    const d = join(dir, 'tests', name);
    mkdirSync(d, { recursive: true });
    cpSync(join(example('quick-buyer'), 'rules.cep'), join(d, 'rules.cep'));
    cpSync(join(example('quick-buyer'), 'events.jsonl'), join(d, 'events.jsonl'));
    writeFileSync(join(d, 'expected.jsonl'), expected);
    for (const [f, text] of Object.entries(extra)) writeFileSync(join(d, f), text);
    return d;
  };
  const all = () => readFileSync(join(example('quick-buyer'), 'expected.jsonl'), 'utf8');

  it('passes with partial expected lines, and event_time as text', async () => {
    const partial = all()
      .split('\n')
      .filter(Boolean)
      .map((l, i) => {
        const e = JSON.parse(l);
        return JSON.stringify(
          i === 0
            ? { event_code: e.event_code, event_time: new Date(e.event_time).toISOString().replace('T', ' ').slice(0, 19), extra_info: { buyer: e.extra_info.buyer } }
            : { user_id: e.user_id },
        );
      })
      .join('\n');
    expect(await main(['test', testDir('partial', partial)])).toBe(0);
    expect(stdout).toContain('1 passed, 0 failed');
  });

  it('fails with a diff per difference and the events of the match involved', async () => {
    const wrong = all().replace('"alice"', '"bob"');
    const d = testDir('wrong', wrong, { 'expected-errors.jsonl': '{"line":99}\n' });
    expect(await main(['test', d])).toBe(1);
    expect(stdout).toContain('output 2: extra_info.buyer is "alice", expected "bob"');
    expect(stdout).toMatch(/from rule quick_buy, matching:\n\s+pub: line 3 .*\n\s+buy: line 4 /);
    expect(stdout).toContain('error line 1: expected {"line":99}');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });

  it('reports outputs nobody expected, late events and errors when no file expects them', async () => {
    const d = testDir('extra', all().split('\n')[0], { 'test.json': '{"outOfOrderness": "0s"}' });
    writeFileSync(join(d, 'events.jsonl'), `${readFileSync(join(d, 'events.jsonl'), 'utf8')}\n{broken\n`);
    expect(await main(['test', d])).toBe(1);
    expect(stdout).toContain('output 2: not expected');
    expect(stdout).toMatch(/error line 1: not expected: \{"line":\d+,"error":"malformed JSON/);
  });

  it('rejects unknown options in test.json', async () => {
    const d = testDir('badopt', all(), { 'test.json': '{"timezone": "UTC"}' });
    expect(await main(['test', d])).toBe(1);
    expect(stdout).toContain("test.json: unknown option 'timezone'");
  });
});

describe('a rule file’s TIME ZONE', () => {
  const rule = (zone: string) => `${zone}\nRULENAME "night"\na: A\nEVENT a\nWHERE HOUR_OF_DAY(a.event_time) < 6\nRETURN h=HOUR_OF_DAY(a.event_time)\n`;
  const input = () => file('zone-default.jsonl', JSON.stringify({ event_code: 'A', event_time: '2024-01-01 02:00:00', user_id: 'u', extra_info: {} }));

  it('reads input times and HOUR_OF_DAY in it, unless --time-zone is given', async () => {
    const out = join(dir, 'zone-default.out');
    expect(await main(['run', file('night.cep', rule("TIME ZONE 'Asia/Shanghai'")), '--input', input(), '--output', out])).toBe(0);
    expect(lines(out).map((l) => [JSON.parse(l).event_time, JSON.parse(l).extra_info.h])).toEqual([[Date.parse('2023-12-31T18:00:00Z'), 2]]);
    expect(await main(['run', join(dir, 'night.cep'), '--input', input(), '--output', out, '--time-zone', 'UTC'])).toBe(0);
    expect(lines(out).map((l) => JSON.parse(l).event_time)).toEqual([Date.parse('2024-01-01T02:00:00Z')]);
  });

  it('is checked, and files that declare different zones need --time-zone', async () => {
    expect(await main(['check', file('badzone.cep', rule("TIME ZONE 'Mars/Base'"))])).toBe(1);
    expect(stderr).toMatch(/unknown time zone 'Mars\/Base'[\s\S]*badzone\.cep:1:11/);
    const other = file('other-zone.cep', rule("TIME ZONE '+01:00'").replace('"night"', '"night2"'));
    expect(await main(['run', join(dir, 'night.cep'), other, '--input', input()])).toBe(2);
    expect(stderr).toContain('the rule files declare different time zones (Asia/Shanghai, +01:00): give --time-zone');
  });
});

describe('cepheus test on a *.test.cep file', () => {
  it('runs each section, and numbers event lines as lines of the file', async () => {
    const text = readFileSync(fileURLToPath(new URL('../../../examples/rule-language.test.cep', import.meta.url)), 'utf8').replace(
      '"user_id":"u2","event_time":5000',
      '"user_id":"u1"',
    );
    const p = file('edited.test.cep', text);
    expect(await main(['test', p])).toBe(1);
    expect(stdout).toContain('FAIL');
    expect(stdout).toContain('output 1: user_id is "u2", expected "u1"');
    expect(stdout).toMatch(/s: line 16 .*\n\s+c: line 17 /);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 1 failed');
  });

  it('says what is wrong with a test that lacks a section or has an unknown one', async () => {
    const p = file('broken.test.cep', '=== no events\n--- rules\nRULENAME "r"\na: A\nEVENT a\n=== odd\n--- rules\nRULENAME "r"\na: A\nEVENT a\n--- events\n--- expectations\n');
    expect(await main(['test', p])).toBe(1);
    expect(stdout).toContain('a test needs a --- rules and an --- events section');
    expect(stdout).toContain("line 12: unknown section 'expectations'");
  });
});
