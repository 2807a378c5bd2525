/**
 * S1: W1's events as standard events (event_code = code, user_id = user, event_time = ts), posted to
 * the built `cepheus serve` (a process of its own) over loopback in batches of 1,000, durably
 * logged, matched by W1's rule, outputs in the outbox. Against `cepheus run` on the same events from
 * a file, in the same run. Latency: from a batch's acknowledgement to the output of its last event
 * arriving on the SSE stream. S1_EVENTS=N runs a prefix of W1; S1_SYNC (full, normal) and
 * S1_CHECKPOINT_EVERY=N set the service's `synchronous` and `checkpointEvery`.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { w1 } from './inputs.ts';
import { cepheusBin as bin, httpClient, startServe } from './serve-process.ts';

const log = (s: string) => process.stderr.write(s + '\n');
const RULE = 'RULENAME "w1"\na: A\nb: B\nc: C\nEVENT a -> b -> c\nWITHIN 600000 MILLISECONDS\nAFTER MATCH NO SKIP\n';
const BATCH = 1000;
// Batches in flight (S1_IN_FLIGHT, default 1). The log takes batches in arrival order, so with
// more than one in flight a later batch can overtake an earlier one: the service then allows
// disorder of as many batches' time as are in flight (W1's events are 1 ms apart), and the
// outputs are the same.
const IN_FLIGHT = Number(process.env.S1_IN_FLIGHT ?? 1);

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function s1Bench(total: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-s1-'));
  const lines: string[] = [];
  for (const e of w1(total)) lines.push(JSON.stringify({ event_code: e.code, event_time: e.ts, user_id: e.user }));
  log(`  ${lines.length} events generated`);

  // cepheus run on the same events from a file
  const input = join(dir, 'w1.jsonl');
  await new Promise<void>((resolve) => {
    const out = createWriteStream(input);
    for (let i = 0; i < lines.length; i += 10_000) out.write(lines.slice(i, i + 10_000).join('\n') + '\n');
    out.end(() => resolve());
  });
  writeFileSync(join(dir, 'w1.cep'), RULE);
  let t0 = performance.now();
  const run = spawnSync(process.execPath, [bin, 'run', join(dir, 'w1.cep'), '--input', input, '--output', join(dir, 'run.jsonl')], { encoding: 'utf8' });
  const runRate = lines.length / ((performance.now() - t0) / 1000);
  const runMatches = readFileSync(join(dir, 'run.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  log(`  cepheus run: ${(runRate / 1e3).toFixed(0)}k events/s, ${runMatches} matches (exit ${run.status})`);

  const data = join(dir, 'data');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      outOfOrdernessMs: IN_FLIGHT > 1 ? 2 * IN_FLIGHT * BATCH : 0,
      ...(process.env.S1_SYNC ? { synchronous: process.env.S1_SYNC } : {}),
      ...(process.env.S1_CHECKPOINT_EVERY ? { checkpointEvery: Number(process.env.S1_CHECKPOINT_EVERY) } : {}),
    }),
  );
  const { child: server, url: target } = await startServe(['--data', data, '--config', config, '--log-level', 'warn', '--idle-timeout', '0']);
  const url = target.origin;
  try {
    const put = await fetch(`${url}/v1/rules/w1`, { method: 'PUT', body: RULE });
    if (put.status !== 201) throw new Error(`deploying W1's rule: ${put.status} ${await put.text()}`);
    const acked: number[] = [];
    const seen: number[] = [];
    let outputs = 0;
    const sse = await fetch(`${url}/v1/outputs/stream`);
    const reader = sse.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data !== undefined) {
            const out = JSON.parse(data.slice(6)) as { event: { event_time: number } };
            const batch = Math.floor(out.event.event_time / BATCH);
            seen.push(performance.now() - (acked[batch] ?? performance.now()));
            outputs++;
          }
          end = buffered.indexOf('\n\n');
        }
        if (outputs >= runMatches) return;
      }
    })();
    const client = httpClient(target, IN_FLIGHT);
    const postBatch = (body: string, key: string) => client.request('POST', '/v1/events', body, { 'idempotency-key': key });
    t0 = performance.now();
    let next = 0;
    const batches = Math.ceil(lines.length / BATCH);
    // A window: batch b goes out only once every batch before b - IN_FLIGHT + 1 is acknowledged, so
    // a batch retried after a 429 is overtaken by fewer than IN_FLIGHT others (the disorder allowed).
    let low = 0;
    let refused = 0;
    let waiting: (() => void)[] = [];
    const post = async (): Promise<void> => {
      for (let b = next++; b < batches; b = next++) {
        while (b >= low + IN_FLIGHT) await new Promise<void>((r) => waiting.push(r));
        const body = lines.slice(b * BATCH, (b + 1) * BATCH).join('\n');
        for (;;) {
          const res = await postBatch(body, `s1-${b}`);
          if (res.status === 200) {
            acked[b] = performance.now();
            while (acked[low] !== undefined) low++;
            const woken = waiting;
            waiting = [];
            for (const wake of woken) wake();
            break;
          }
          if (res.status !== 429) throw new Error(`posting batch ${b}: ${res.status} ${res.text}`);
          refused++;
          await new Promise((r) => setTimeout(r, 50));
        }
        if (b % 500 === 0) log(`  ${b * BATCH} events posted`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, post));
    if (IN_FLIGHT > 1) {
      // the watermark lags by the disorder allowed: one event of another code, after it, releases the last events
      const after = JSON.stringify({ event_code: 'END', event_time: lines.length + 2 * IN_FLIGHT * BATCH, user_id: 0 });
      await postBatch(after, 's1-end');
    }
    const postedMs = performance.now() - t0;
    await Promise.race([reading, new Promise((r) => setTimeout(r, 120_000))]);
    const doneMs = performance.now() - t0;
    await reader.cancel().catch(() => {});
    client.close();
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(metrics)?.[1] ?? 0) / 2 ** 20;
    const late = Number(/^cepheus_late_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
    if (late > 0) log(`  ${late} events were late (batches overtaken by more than the disorder allowed)`);
    const rate = lines.length / (doneMs / 1000);
    const sorted = [...seen].sort((a, b) => a - b);
    log(
      `  cepheus serve: ${(rate / 1e3).toFixed(0)}k events/s end to end (${(lines.length / (postedMs / 1000) / 1e3).toFixed(0)}k/s acknowledged), ${outputs} outputs; ratio to cepheus run ${(rate / runRate).toFixed(2)}`,
    );
    log(`  answers 429 (retried after 50 ms): ${refused}`);
    log(`  latency from acknowledgement to output: p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms`);
    return {
      workload: 'S1',
      events_per_s: Math.round(rate),
      matches: outputs,
      rss_mb: Math.round(rss),
      run_events_per_s: Math.round(runRate),
      run_matches: runMatches,
      ratio_to_run: Number((rate / runRate).toFixed(3)),
      latency_p50_ms: Math.round(percentile(sorted, 50)),
      latency_p99_ms: Math.round(percentile(sorted, 99)),
      refused_429: refused,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
