/**
 * npm run bench [-- W1 W2 W3 W3-IN W3-AND W3-FN W3-TRACE W4 W5 R1000 S1 SOAK RECOVERY]: prints machine info, then runs each workload in its own process
 * (so each peak RSS is its own) and relays its progress and final BENCH line.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const all = ['W1', 'W2', 'W3', 'W3-IN', 'W3-AND', 'W3-FN', 'W3-TRACE', 'W4', 'W5', 'R1000', 'S1', 'SOAK', 'RECOVERY'];
const wanted = process.argv.slice(2).map((w) => w.toUpperCase());
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown workload(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`machine: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${process.platform}/${process.arch}`);
const script = fileURLToPath(new URL('./workload.ts', import.meta.url));
let failed = false;
for (const w of wanted.length ? wanted : all) {
  console.log(`${w}:`);
  // --expose-gc: W4 measures the live heap (after a collection), not garbage not yet collected
  const res = spawnSync(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', script, w], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (res.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
