import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.ts';

const examples = fileURLToPath(new URL('../../../examples', import.meta.url));
const dirs = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const tmp = mkdtempSync(join(tmpdir(), 'cepheus-'));
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

describe('bundled examples produce their expected output', () => {
  beforeAll(() => void vi.spyOn(process.stderr, 'write').mockImplementation(() => true)); // the run summaries
  afterAll(() => vi.restoreAllMocks());

  it('has the seed scenarios', () => {
    expect(dirs.sort()).toEqual(['mass-messaging', 'price-drop-push', 'quick-buyer', 'view-item-3-times']);
  });

  it.each(dirs)('%s', async (name) => {
    const dir = join(examples, name);
    const output = join(tmp, `${name}.out.jsonl`);
    const errors = join(tmp, `${name}.err.jsonl`);
    const code = await main(['run', join(dir, 'rules.cep'), '--input', join(dir, 'events.jsonl'), '--output', output, '--errors', errors]);
    expect(code).toBe(0);
    expect(lines(output).map((l) => JSON.parse(l))).toEqual(lines(join(dir, 'expected.jsonl')).map((l) => JSON.parse(l)));
    if (name === 'view-item-3-times') {
      // the two bad lines at the end of the input are reported with their line numbers, not dropped
      expect(lines(errors).map((l) => JSON.parse(l).line)).toEqual([9, 10]);
    } else {
      expect(lines(errors)).toEqual([]);
    }
  });
});
