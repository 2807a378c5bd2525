import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../src/index.ts';

/** Every fenced block of docs/rules.md that holds rules (its first line starts a rule or is a comment). */
const docs = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
const blocks = [...docs.matchAll(/^( *)```\n([\s\S]*?)^\1```/gm)]
  .map((m) => m[2].replace(new RegExp(`^${m[1]}`, 'gm'), ''))
  .filter((text) => /^(--.*\n|TIME ZONE.*\n|\n)*RULENAME/.test(text));

describe('the rule examples in docs/rules.md', () => {
  it('are there', () => {
    expect(blocks.length).toBeGreaterThan(2);
  });

  it.each(blocks.map((b) => [b.split('\n').find((l) => l.startsWith('RULENAME')), b]))('%s compiles', (_name, text) => {
    expect(compileRules(text as string, 'docs/rules.md').length).toBeGreaterThan(0);
  });
});
