/**
 * RECOVERY: W1's events (as in S1) posted to the built `cepheus serve` with checkpoints every
 * RECOVERY_CHECKPOINT_EVERY log positions (default 1,000,000); once all are processed, the service
 * is killed with SIGKILL and started again: the time from its start to /readyz answering 200 (it
 * restores the last checkpoint and replays the log after it). Reports the last checkpoint before
 * the kill (keys written, size, time: each checkpoint writes only the keys changed since the one
 * before) and what the restored checkpoint holds. RECOVERY_EVENTS=N runs a prefix of W1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { w1 } from './inputs.ts';
import { httpClient, startServe } from './serve-process.ts';

const log = (s: string) => process.stderr.write(s + '\n');
const RULE = 'RULENAME "w1"\na: A\nb: B\nc: C\nEVENT a -> b -> c\nWITHIN 600000 MILLISECONDS\nAFTER MATCH NO SKIP\n';
const BATCH = 1000;

const metric = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

export async function recoveryBench(total: number, checkpointEvery: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-recovery-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'warn', idleTimeoutMs: 0, checkpointEvery }));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const args = ['--data', join(dir, 'data'), '--config', config, '--port', String(port)];
  let { child: server, url } = await startServe(args);
  try {
    const client = httpClient(url, 1);
    const put = await client.request('PUT', '/v1/rules/w1', RULE, { 'content-type': 'text/plain' });
    if (put.status !== 201) throw new Error(`deploying W1's rule: ${put.status} ${put.text}`);
    const t0 = performance.now();
    let lines: string[] = [];
    let posted = 0;
    const flush = async () => {
      const body = lines.join('\n');
      lines = [];
      for (;;) {
        const res = await client.request('POST', '/v1/events', body);
        if (res.status === 200) break;
        if (res.status !== 429) throw new Error(`posting: ${res.status} ${res.text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    for (const e of w1(total)) {
      lines.push(JSON.stringify({ event_code: e.code, event_time: e.ts, user_id: e.user }));
      if (lines.length === BATCH) {
        await flush();
        posted += BATCH;
        if (posted % 500_000 === 0) log(`  ${posted} events posted`);
      }
    }
    if (lines.length > 0) await flush();
    // wait until every event is processed (lag 0), then read the last checkpoint's figures
    let m = '';
    for (;;) {
      m = (await client.request('GET', '/metrics')).text;
      if (metric(m, 'cepheus_lag_entries') === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rate = total / ((performance.now() - t0) / 1000);
    const last = { keys: metric(m, 'cepheus_checkpoint_keys'), bytes: metric(m, 'cepheus_checkpoint_bytes'), ms: metric(m, 'cepheus_checkpoint_ms') };
    const keys = metric(m, 'cepheus_keys');
    log(`  ${total} events processed at ${(rate / 1e3).toFixed(0)}k events/s; ${keys} keys with state`);
    log(`  last checkpoint: ${last.keys} keys written or removed, ${(last.bytes / 1e6).toFixed(2)} MB, ${last.ms.toFixed(0)} ms`);
    client.close();

    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL');
    await exited;
    const t1 = performance.now();
    ({ child: server, url } = await startServe(args));
    const again = httpClient(url, 1);
    while ((await again.request('GET', '/readyz')).status !== 200) await new Promise((r) => setTimeout(r, 10));
    const readyMs = performance.now() - t1;
    const after = (await again.request('GET', '/metrics')).text;
    const rss = metric(after, 'process_resident_memory_bytes') / 2 ** 20;
    log(`  killed with SIGKILL; started again and ready in ${(readyMs / 1000).toFixed(2)} s, ${metric(after, 'cepheus_keys')} keys restored`);
    const outputs = (JSON.parse((await again.request('GET', '/v1/rules/w1')).text) as { counts: { outputs: number } }).counts.outputs;
    again.close();
    return {
      workload: 'RECOVERY',
      events_per_s: Math.round(rate),
      matches: outputs,
      rss_mb: Math.round(rss),
      ready_ms: Math.round(readyMs),
      checkpoint_every: checkpointEvery,
      keys,
      last_checkpoint_keys: last.keys,
      last_checkpoint_bytes: last.bytes,
      last_checkpoint_ms: Math.round(last.ms),
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
