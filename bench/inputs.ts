/**
 * The standard workloads' inputs, from ../shared/bench/gen.mjs (WORKLOADS.md). Loaded at run time
 * so that the repository type-checks and tests without ../shared; a benchmark needs it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type W1Event = { user: number; code: string; ts: number };
type W3Event = { user: number; code: string; ts: number };
type W2Event = { event_code: string; event_time: number; user_id: string; extra_info: { to_user: string } };
interface Generators {
  w1(n?: number, users?: number): Iterable<W1Event>;
  w2(n?: number, users?: number, recipients?: number): Iterable<W2Event>;
  w3(n?: number): Iterable<W3Event>;
}

const url = new URL('../../shared/bench/gen.mjs', import.meta.url);
if (!existsSync(fileURLToPath(url))) {
  process.stderr.write(`the benchmark inputs come from ${fileURLToPath(url)}, which is not there\n`);
  process.exit(2);
}
const gen = (await import(url.href)) as Generators;
export const { w1, w2, w3 } = gen;
