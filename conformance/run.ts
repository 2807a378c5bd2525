/**
 * Runs the Flink conformance cases (../shared/conformance or a given folder) against the core
 * engine. Prints one line per failing case and a final "N passed, M failed" line. Cases listed in
 * expectations.json are expected to fail (with the reason there); an unexpected failure or an
 * unexpected pass fails the run.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPattern, runCase, runtimeName, type ConformanceCase } from './harness.ts';
import { compile } from '../packages/core/src/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '../../shared/conformance'));
const expectations: Record<string, string> = JSON.parse(readFileSync(join(here, 'expectations.json'), 'utf8')).expectedFailures ?? {};

function* walk(d: string): Generator<string> {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (name.endsWith('.json')) yield p;
  }
}

let passed = 0;
/** Cases by the runtime compile picks for them (each case also runs on the shared-buffer NFA). */
const picked = new Map<string, number>();
let failed = 0;
const seen = new Set<string>();
for (const file of walk(dir)) {
  const id = relative(dir, file)
    .replace(/\\/g, '/')
    .replace(/\.json$/, '');
  seen.add(id);
  const c = JSON.parse(readFileSync(file, 'utf8')) as ConformanceCase;
  const problem = runCase(c);
  if (!c.skip) countRuntime(c);
  const expectedToFail = id in expectations;
  if (problem === null && !expectedToFail) passed++;
  else if (problem !== null && expectedToFail) passed++;
  else {
    failed++;
    if (problem === null) console.log(`UNEXPECTED PASS ${id}: listed in expectations.json (${expectations[id]}) but passes; remove it`);
    else console.log(`FAIL ${id}: ${problem}`);
  }
}
for (const id of Object.keys(expectations)) {
  if (!seen.has(id) && !process.argv[2]) {
    failed++;
    console.log(`MISSING ${id}: listed in expectations.json but no such case`);
  }
}
console.log(`each case ran on the shared-buffer NFA and on the runtime compile picks: ${[...picked].map(([name, n]) => `${n} on the ${name}`).join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

function countRuntime(c: ConformanceCase): void {
  try {
    const matcher = compile(buildPattern(c.pattern));
    const name = runtimeName(matcher);
    picked.set(name, (picked.get(name) ?? 0) + 1);
  } catch {
    // an invalid pattern: runs on no runtime
  }
}
