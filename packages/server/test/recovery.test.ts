/**
 * The service's promise under crashes: a loader posts W1-like events in batches (resending a batch
 * that got no answer, with its idempotency key) while the service is killed with SIGKILL at random
 * moments and started again. Afterwards the outputs, deduplicated by id, are exactly those of
 * `cepheus run` over the same events in the same order. Runs the built binary (npm test builds).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../cli/bin/cepheus.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const RULE = 'RULENAME "w1"\na: A\nb: B\nc: C\nEVENT a -> b -> c\nWITHIN 600000 MILLISECONDS\nAFTER MATCH NO SKIP\n';
const EVENTS = Number(process.env.RECOVERY_EVENTS ?? 30_000);
const BATCH = 500;
const KILLS = 6;

/** W1's generator (an LCG, seed 42), with fewer users so that a short input has matches. */
function* w1Like(n: number, users: number) {
  let s = 42;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 8;
  };
  for (let i = 0; i < n; i++) {
    const user = next() % users;
    const code = 'ABCDEFGHIJ'[next() % 10];
    yield { event_code: code, event_time: i, user_id: user };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cepheus-recovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startService(data: string, config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--data', data, '--port', '0', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+),/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code, signal) => reject(new Error(`cepheus serve ended (${code ?? signal}) before listening: ${err}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// skipped only where the packages are not built (npm test builds them first): it runs the built binary
describe.skipIf(!built)('recovery under SIGKILL', () => {
  it(`loses and duplicates nothing when killed with SIGKILL ${KILLS} times`, async () => {
    const events = [...w1Like(EVENTS, 300)];
    const lines = events.map((e) => JSON.stringify(e));
    const data = join(dir, 'data');
    const sink = join(dir, 'sink.jsonl');
    const config = join(dir, 'config.json');
    // checkpoints often: restarts go on from a checkpoint and replay the log after it
    writeFileSync(config, JSON.stringify({ logLevel: 'silent', idleTimeoutMs: 0, checkpointEvery: 2000, sinks: [{ type: 'jsonl', path: sink }] }));

    let service = await startService(data, config);
    expect((await fetch(`${service.url}/v1/rules/w1`, { method: 'PUT', body: RULE })).status).toBe(201);

    // the killer: at random moments while batches are posted, SIGKILL and start again
    let kills = 0;
    let resends = 0;
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    // (the kills go on after the last batch if need be: a crash while processing catches up counts too)
    const killer = (async () => {
      while (kills < KILLS) {
        await sleep(40 + random() * 200);
        const exited = new Promise((r) => service.child.once('exit', r));
        service.child.kill('SIGKILL');
        await exited;
        kills++;
        service = await startService(data, config);
      }
    })();

    for (let b = 0; b * BATCH < lines.length; b++) {
      const body = lines.slice(b * BATCH, (b + 1) * BATCH).join('\n');
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) resends++;
        try {
          const res = await fetch(`${service.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': `batch-${b}` }, body });
          const answer = (await res.json()) as { accepted: number };
          if (res.status === 200) {
            expect(answer.accepted).toBe(Math.min(BATCH, lines.length - b * BATCH));
            break;
          }
        } catch {
          // no answer (the service was killed): send the batch again, with its key
        }
        await sleep(20);
      }
      // spread the posting over the killer's moments
      if (kills < KILLS) await sleep(25);
    }
    await killer;
    expect(kills).toBeGreaterThanOrEqual(5);

    // processing catches up on the last start: then every output is in the outbox
    for (;;) {
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      if (/^cepheus_lag_entries 0$/m.test(metrics) && (await fetch(`${service.url}/readyz`)).status === 200) break;
      await sleep(50);
    }
    const outputs: { id: string; event: unknown }[] = [];
    for (let after = 0; ; ) {
      const page = (await (await fetch(`${service.url}/v1/outputs?after=${after}&limit=10000`)).json()) as { outputs: { id: string; event: unknown }[]; last: number };
      if (page.outputs.length === 0) break;
      outputs.push(...page.outputs);
      after = page.last;
    }
    const stopped = new Promise((r) => service.child.once('exit', r));
    service.child.kill('SIGTERM');
    await stopped;

    writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'w1.cep'), RULE);
    const run = spawnSync(process.execPath, [bin, 'run', join(dir, 'w1.cep'), '--input', join(dir, 'events.jsonl')], { encoding: 'utf8' });
    const expected = run.stdout.split('\n').filter(Boolean);
    expect(expected.length).toBeGreaterThan(100);

    const byId = new Map(outputs.map((o) => [o.id, JSON.stringify(o.event)]));
    expect(byId.size).toBe(outputs.length); // the outbox holds each id once
    expect([...byId.values()].sort()).toEqual([...expected].sort());
    const delivered = readFileSync(sink, 'utf8').split('\n').filter(Boolean);
    const sinkIds = new Set(delivered.map((l) => (JSON.parse(l) as { id: string }).id));
    expect([...sinkIds].sort()).toEqual([...byId.keys()].sort());
    console.log(
      `recovery: ${EVENTS} events, ${kills} kills, ${resends} sends retried, ${expected.length} outputs; ${delivered.length - sinkIds.size} duplicate deliveries to the JSONL sink`,
    );
  }, 180_000);
});
