import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@cepheus/cli';
import { parseRules } from '@cepheus/rules';
import { describe, expect, it } from 'vitest';
import { testServer } from './helpers.ts';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const folders = readdirSync(examples).filter((f) => statSync(join(examples, f)).isDirectory());

/** The rule texts of a rule file, one per rule (each from its RULENAME to the next one). */
function ruleTexts(text: string): { name: string; text: string }[] {
  const rules = parseRules(text);
  return rules.map((r, i) => ({ name: r.name, text: text.slice(r.at, i + 1 < rules.length ? rules[i + 1].at : text.length) }));
}

describe('the examples through cepheus serve', () => {
  it.each(folders)('%s gives the outputs cepheus run gives', async (folder) => {
    const dir = join(examples, folder);
    const tmp = mkdtempSync(join(tmpdir(), 'cepheus-example-'));
    try {
      const out = join(tmp, 'run.jsonl');
      const quiet = { write: () => true } as unknown as NodeJS.WriteStream;
      const stderr = process.stderr.write;
      process.stderr.write = quiet.write;
      try {
        expect(await main(['run', join(dir, 'rules.cep'), '--input', join(dir, 'events.jsonl'), '--output', out])).toBe(0);
      } finally {
        process.stderr.write = stderr;
      }
      const expected = readFileSync(out, 'utf8').split('\n').filter(Boolean);
      expect(expected.length).toBeGreaterThan(0);

      const s = await testServer({ idleTimeoutMs: 1000 });
      try {
        for (const r of ruleTexts(readFileSync(join(dir, 'rules.cep'), 'utf8'))) expect((await s.put(r.name, r.text)).status).toBe(201);
        const res = await s.json('/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: readFileSync(join(dir, 'events.jsonl')) });
        expect(res.status).toBe(200);
        await s.server.drained();
        // the end of the input, as cepheus run ends it: time passes every window
        s.clock += 10 * 365 * 86_400_000;
        s.server.tick();
        const outputs = await s.outputs();
        expect(outputs.map((o) => JSON.stringify(o.event)).sort()).toEqual([...expected].sort());
      } finally {
        await s.dispose();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
