import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.ts';

const examples = fileURLToPath(new URL('../../../examples', import.meta.url));
const dirs = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

let stdout = '';
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('the bundled examples are tests that pass', () => {
  it('has the seed scenarios', () => {
    expect(dirs.sort()).toEqual(['mass-messaging', 'price-drop-push', 'quick-buyer', 'view-item-3-times']);
  });

  it('cepheus test examples/', async () => {
    expect(await main(['test', examples])).toBe(0);
    for (const d of dirs) expect(stdout).toMatch(new RegExp(`^PASS .*${d}$`, 'm'));
    const inFile = stdout.split('\n').filter((l) => /^PASS .*rule-language\.test\.cep: /.test(l));
    expect(inFile).toHaveLength(3);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`${dirs.length + inFile.length} passed, 0 failed`);
  });
});
