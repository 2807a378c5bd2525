/**
 * The packages as users get them: packed, installed into an empty project, imported from plain
 * Node ESM, type-checked under the strictest options, and the binary run without tsx.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'cepheus-pack-'));
const project = join(tmp, 'consumer');
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let packed: { name: string; filename: string; files: { path: string }[] }[] = [];

/** The README's first js code block: the packages' documented examples run as they are written. */
const readmeExample = (pkg: string) => /```js\n([\s\S]*?)```/.exec(readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8'))![1];

beforeAll(() => {
  run(npm, ['run', '-s', 'build'], root);
  packed = JSON.parse(run(npm, ['pack', '--workspaces', '--json', '--pack-destination', tmp], root));
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --ignore-scripts: the server's SQLite binding is not built again here (the workspace's own install
  // builds it; these tests do not start the server from the tarballs)
  run(npm, ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ...packed.map((p) => join(tmp, p.filename))], project);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed packages', () => {
  it('hold their built JavaScript, types, README and LICENSE only', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(['@cepheus/cli', '@cepheus/core', '@cepheus/rules', '@cepheus/server']);
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files).toContain('LICENSE');
      expect(files).toContain('README.md');
      expect(files).toContain('dist/index.d.ts'.replace('index', p.name === '@cepheus/cli' ? 'main' : 'index'));
      const stray = files.filter((f) => !/^(dist\/.*\.(js|d\.ts|js\.map)|README\.md|LICENSE|package\.json|bin\/cepheus\.js)$/.test(f));
      expect(stray, p.name).toEqual([]);
    }
  });

  it('work from plain Node ESM: the READMEs run as written', () => {
    writeFileSync(join(project, 'core.mjs'), readmeExample('core'));
    expect(run('node', ['core.mjs'], project)).toMatch(/^u1 Map\(2\) \{/);
    writeFileSync(join(project, 'rules.mjs'), readmeExample('rules'));
    expect(run('node', ['rules.mjs'], project)).toMatch(/event_code: 'pair'/);
    writeFileSync(
      join(project, 'entries.mjs'),
      "import { NFA } from '@cepheus/core/reference'; import { ChainNFA } from '@cepheus/core/internal'; import { loadRulesJson } from '@cepheus/rules/runtime'; console.log(typeof NFA, typeof ChainNFA, typeof loadRulesJson);",
    );
    expect(run('node', ['entries.mjs'], project).trim()).toBe('function function function');
  });

  it('install a cepheus binary that runs the built JavaScript', () => {
    const example = join(root, 'examples', 'mass-messaging');
    const out = run(join(project, 'node_modules', '.bin', 'cepheus'), ['run', join(example, 'rules.cep'), '--input', join(example, 'events.jsonl')], project);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(
      readFileSync(join(example, 'expected.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('tsx');
  });

  it('type-check in a strict TypeScript project (noUncheckedIndexedAccess, exactOptionalPropertyTypes, no skipLibCheck)', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          noEmit: true,
          lib: ['ES2022'],
          // the server's API names Node's types (its config reads the environment, fastify's http)
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        include: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { CepOperator, Pattern, field, type MatchOutput } from '@cepheus/core';
import { NFA } from '@cepheus/core/reference';
import { compileRules, RuleEngine, type StandardEvent } from '@cepheus/rules';
import { loadRulesJson } from '@cepheus/rules/runtime';
import { loadConfig, type RunningServer } from '@cepheus/server';
const config = loadConfig({ data: './data', port: 0 });
const server: RunningServer | undefined = undefined;
void config;
void server;
type Ev = { user: string; action: 'view' | 'pay'; ts: number };
const p = Pattern.begin<Ev>('view').where(field('action').eq('view')).followedBy('pay').where({ action: 'pay' }).where((e, ctx) => e.ts > ctx.timestamp() - 10).within(60_000);
const seen: MatchOutput<Ev, string>[] = [];
const op = new CepOperator<Ev, string>({ patterns: { p }, key: (e) => e.user, timestamp: (e) => e.ts, onMatch: (m) => seen.push(m) });
op.processElement({ user: 'u', action: 'view', ts: 1 });
const nfa: NFA<Ev> | undefined = undefined;
const rules = compileRules('RULENAME: "r"\\na: A\\nEVENT a\\nRETURN x=a.user_id');
const outputs: StandardEvent[] = [];
new RuleEngine({ rules, onOutput: (e) => outputs.push(e) }).flush();
void loadRulesJson;
void nfa;
`,
    );
    expect(() => run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project)).not.toThrow();
  });
});
