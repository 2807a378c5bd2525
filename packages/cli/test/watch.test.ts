import { spawn } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./run-cli.ts', import.meta.url));
const ev = (code: string, t: number) => `${JSON.stringify({ event_code: code, event_time: t, user_id: 'u', extra_info: {} })}\n`;
const rule = (name: string, first: string, second: string) => `RULENAME "${name}"\nx: ${first}\ny: ${second}\nEVENT x -> y\nWITHIN 1 MINUTE\n`;

describe('cepheus run --watch', () => {
  it('reloads changed rule files, says what changed, and keeps unchanged rules’ state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cepheus-watch-'));
    const rules = join(dir, 'rules.cep');
    writeFileSync(rules, rule('ab', 'A', 'B'));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, 'run', rules, '--input', '-', '--watch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      expect([what(), stdout, stderr]).toEqual([true, stdout, stderr]);
    };
    const touch = (text: string, s: number) => {
      writeFileSync(rules, text);
      utimesSync(rules, s, s); // a new modification time, whatever the file system's resolution
    };
    await until(() => stderr.includes('watching 1 rule file for changes'));
    child.stdin.write(ev('A', 1000));
    // ab holds a partial match (A@1000) across the reload, as it is unchanged
    touch(rule('ab', 'A', 'B') + '\n' + rule('ba', 'B', 'A'), 2_000_000_000);
    await until(() => stderr.includes('rules reloaded'));
    expect(stderr).toContain('cepheus: rules reloaded: added ba; 1 unchanged');
    child.stdin.write(ev('B', 2000) + ev('A', 3000));
    await until(() => stdout.split('\n').filter(Boolean).length === 2);
    touch('RULENAME "broken"\nEVENT', 2_000_000_100);
    await until(() => stderr.includes('the running rules are kept'));
    child.stdin.write(ev('B', 4000));
    child.stdin.end();
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => `${JSON.parse(l).event_code}@${JSON.parse(l).event_time}`),
    ).toEqual(['ab@2000', 'ba@3000', 'ab@4000']);
  }, 30_000);
});
