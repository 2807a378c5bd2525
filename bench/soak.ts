/**
 * SOAK: sustained overload. Three producers post batches as fast as the built `cepheus serve`
 * takes them while 40 rules run over the same events, so processing, not ingestion, sets the pace.
 * The server's resident memory and lag are sampled from /metrics every 10 s and must stay flat.
 * (Processing runs between requests on the service's one thread, in turns of about 20 ms, so the
 * backlog stays within the batches in flight and requests wait in the sockets.) Halfway the
 * service is killed and started again: replaying the log it lags by far more than maxLag, and
 * ingestion answers 429 until it caught up. SOAK_SECONDS=N sets the length.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpClient, startServe } from './serve-process.ts';

const log = (s: string) => process.stderr.write(s + '\n');
// 40 rules over the same events: processing is the slower part
const RULES = Array.from({ length: 40 }, (_, i) => `RULENAME "r${i}"\na: A\nb: B\nc: C\nEVENT a -> b -> c\nWITHIN ${1000 + i} MILLISECONDS\nAFTER MATCH NO SKIP\n`);

export async function soakBench(seconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-soak-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'warn', idleTimeoutMs: 0, maxLag: 2_500, checkpointEvery: 0, synchronous: 'normal' }));
  // a fixed port: the service is killed halfway and started again on the same address
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const args = ['--data', join(dir, 'data'), '--config', config, '--port', String(port)];
  let { child: server, url } = await startServe(args);
  const client = httpClient(url, 4);
  const request = client.request;
  let refused = 0;
  try {
    for (const [i, rule] of RULES.entries()) await request('PUT', `/v1/rules/r${i}`, rule);
    const codes = 'ABC';
    let t = 0;
    let accepted = 0;
    let throttled = 0;
    const end = performance.now() + seconds * 1000;
    const samples: { s: number; rssMb: number; lag: number }[] = [];
    const sampler = setInterval(async () => {
      const m = (await request('GET', '/metrics').catch(() => ({ text: '' }))).text;
      if (m === '') return;
      const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(m)?.[1] ?? 0) / 2 ** 20;
      const lag = Number(/^cepheus_lag_entries (\S+)$/m.exec(m)?.[1] ?? 0);
      samples.push({ s: Math.round((seconds * 1000 - (end - performance.now())) / 1000), rssMb: Math.round(rss), lag });
      log(`  ${samples[samples.length - 1].s} s: server RSS ${Math.round(rss)} MB, lag ${lag} entries, ${accepted} events accepted, ${throttled} batches answered 429`);
    }, 10_000);
    const producer = async () => {
      while (performance.now() < end) {
        const lines: string[] = [];
        for (let i = 0; i < 1000; i++) lines.push(JSON.stringify({ event_code: codes[(t * 7) % 3], event_time: t, user_id: `u${t++ % 1000}` }));
        const res = await request('POST', '/v1/events', lines.join('\n')).catch(() => undefined);
        if (res === undefined) {
          // the service is down (killed halfway): the batch is lost to this producer, as to a client without retries
          refused++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (res.status === 200) accepted += 1000;
        else if (res.status === 429) {
          throttled++;
          await new Promise((r) => setTimeout(r, 20));
        } else throw new Error(`POST: ${res.status} ${res.text}`);
      }
    };
    // halfway, SIGKILL and start again: it replays the whole log (no checkpoints here), and while
    // it does, processing lags by far more than maxLag, so ingestion answers 429
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, (seconds * 1000) / 2));
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await exited;
      ({ child: server, url } = await startServe(args));
      log(`  ${Math.round(seconds / 2)} s: killed with SIGKILL and started again; it replays the log`);
    })();
    await Promise.all([producer(), producer(), producer(), restart]);
    clearInterval(sampler);
    const later = samples.slice(Math.floor(samples.length / 2));
    const first = samples.slice(0, Math.ceil(samples.length / 2));
    const maxRss = Math.max(...samples.map((s) => s.rssMb));
    log(
      `  ${seconds} s: ${accepted} events accepted, ${throttled} batches answered 429, ${refused} refused while it was down; server RSS at most ${maxRss} MB (first half at most ${Math.max(...first.map((s) => s.rssMb))}, second half ${Math.max(...later.map((s) => s.rssMb))})`,
    );
    return { workload: 'SOAK', events_per_s: Math.round(accepted / seconds), matches: 0, rss_mb: maxRss, throttled, refused, samples };
  } finally {
    client.close();
    server.kill('SIGKILL');
    await new Promise((r) => server.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
