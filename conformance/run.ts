/**
 * Runs the Flink conformance cases against the core engine: the project's own transcriptions in
 * conformance/cases, then ../shared/conformance when it is there (or only a given folder). Prints
 * one line per failing case, the count of each set, and a final "N passed, M failed" line. Cases
 * listed in expectations.json (as SET/ID, SET being "cases" or "shared") are expected to fail, with
 * the reason there; an unexpected failure or an unexpected pass fails the run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPattern, runCase, runtimeName, type ConformanceCase } from './harness.ts';
import { compile } from '../packages/core/src/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const given = process.argv[2];
const sets: [string, string][] = given !== undefined ? [['given', resolve(given)]] : [['cases', join(here, 'cases')]];
const shared = join(here, '../../shared/conformance');
if (given === undefined) {
  if (existsSync(shared)) sets.push(['shared', shared]);
  else console.log(`${shared} is not there: running the project's own cases only`);
}
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
for (const [set, dir] of sets) {
  let setPassed = 0;
  let setCount = 0;
  for (const file of walk(dir)) {
    const id = `${set}/${relative(dir, file)
      .replace(/\\/g, '/')
      .replace(/\.json$/, '')}`;
    seen.add(id);
    setCount++;
    const c = JSON.parse(readFileSync(file, 'utf8')) as ConformanceCase;
    const problem = runCase(c);
    if (!c.skip) countRuntime(c);
    const expectedToFail = id in expectations;
    if ((problem === null) !== expectedToFail) {
      passed++;
      setPassed++;
    } else {
      failed++;
      if (problem === null) console.log(`UNEXPECTED PASS ${id}: listed in expectations.json (${expectations[id]}) but passes; remove it`);
      else console.log(`FAIL ${id}: ${problem}`);
    }
  }
  console.log(`${set} (${dir}): ${setPassed} of ${setCount} as expected`);
}
for (const id of Object.keys(expectations)) {
  if (!seen.has(id) && given === undefined && (id.startsWith('cases/') || sets.length > 1)) {
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
