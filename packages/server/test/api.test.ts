import { afterEach, describe, expect, it } from 'vitest';
import { ev, testServer, type TestServer } from './helpers.ts';

const PAIR = 'RULENAME "pair"\na: A\nb: B\nEVENT a -> b\nWITHIN 1 MINUTE\nRETURN first=a.event_time';
const ABSENT = 'RULENAME "no_pay"\no: ORDER\np: PAY\nEVENT o -> !p\nWITHIN 10 SECONDS';

let servers: TestServer[] = [];
const start = async (options = {}) => {
  const s = await testServer(options);
  servers.push(s);
  return s;
};
afterEach(async () => {
  for (const s of servers) await s.dispose();
  servers = [];
});

describe('rules over HTTP', () => {
  it('deploys a rule in a new version, lists it, describes it and keeps its versions', async () => {
    const s = await start();
    expect(await s.put('pair', PAIR)).toMatchObject({ status: 201, body: { name: 'pair', version: 1, state: 'running' } });
    expect((await s.put('pair', PAIR.replace('1 MINUTE', '2 MINUTES'))).body.version).toBe(2);
    const { body: list } = await s.json('/v1/rules');
    expect(list.rules.map((r: any) => [r.name, r.version, r.state])).toEqual([['pair', 2, 'running']]);
    const { body: one } = await s.json('/v1/rules/pair');
    expect(one).toMatchObject({ name: 'pair', version: 2, state: 'running', key: 'user_id (default)', kind: 'nfa' });
    expect(one.pattern).toContain(".followedBy('b')");
    await s.post([ev('A', 1000), ev('B', 2000), ev('A', 3000, 'u2'), ev('A', 3500, 'u2')]);
    await s.server.drained();
    expect((await s.json('/v1/rules/pair')).body.counts).toEqual({ outputs: 1, late: 0, keys: 1, partialMatches: 2 });
    const metrics = await (await s.fetch('/metrics')).text();
    expect(metrics).toMatch(/^cepheus_rule_keys\{rule="pair"\} 1$/m);
    expect(metrics).toMatch(/^cepheus_rule_partial_matches\{rule="pair"\} 2$/m);
    const { body: versions } = await s.json('/v1/rules/pair/versions');
    expect(versions.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(versions.versions[0].text).toBe(PAIR);
  });

  it('answers 400 with every error, its line, column, hint and caret text', async () => {
    const s = await start();
    const { status, body } = await s.put('x', 'RULENAME "x"\na: A\nEVENT a WERE a.n = 1\nWITHIN 0 SECONDS');
    expect(status).toBe(400);
    expect(body.errors.length).toBeGreaterThanOrEqual(1);
    expect(body.errors[0]).toMatchObject({ line: 3, column: 9, hint: 'did you mean WHERE?' });
    expect(body.errors[0].text).toContain('x.cep:3:9');
    expect(body.errors[0].text).toContain('^^^^');
    expect((await s.put('y', PAIR)).body.error).toMatch(/named "pair" but the address names "y"/);
    expect((await s.put('pair', `${PAIR}\n\n${PAIR.replace('"pair"', '"other"')}`)).body.error).toMatch(/exactly one rule; it holds 2/);
    expect((await s.json('/v1/rules')).body.rules).toEqual([]);
    const check = await s.json('/v1/check', { method: 'POST', body: PAIR });
    expect(check).toMatchObject({ status: 200, body: { ok: true, name: 'pair' } });
    expect((await s.json('/v1/check', { method: 'POST', body: 'RULENAME "z"' })).status).toBe(400);
  });

  it('rejects rules that would feed each other in a cycle', async () => {
    const s = await start();
    expect((await s.put('r1', 'RULENAME "r1"\na: r2\nEVENT a')).status).toBe(201);
    const { status, body } = await s.put('r2', 'RULENAME "r2"\na: r1\nEVENT a');
    expect(status).toBe(400);
    expect(body.error).toMatch(/cycle/);
  });

  it('serves the running rules as data with an ETag, and 304 for the same one', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    const first = await s.fetch('/v1/rules.json');
    const etag = first.headers.get('etag')!;
    expect((await first.json()).rules.map((r: any) => r.name)).toEqual(['pair']);
    expect((await s.fetch('/v1/rules.json', { headers: { 'if-none-match': etag } })).status).toBe(304);
    await s.put('no_pay', ABSENT);
    const changed = await s.fetch('/v1/rules.json', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect((await s.json('/v1/rules/pair/compiled')).body.rules[0].name).toBe('pair');
    expect((await s.json('/v1/rules/nope/compiled')).status).toBe(404);
  });
});

describe('ingestion', () => {
  it('takes NDJSON and JSON arrays, and lists the rejected lines with the reason', async () => {
    const s = await start();
    const body = [
      JSON.stringify(ev('A', 1)),
      '{"event_code": "A"',
      '',
      JSON.stringify({ event_code: 'A', event_time: 'yesterday', user_id: 'u' }),
      JSON.stringify(ev('B', 2)),
    ].join('\n');
    const res = await s.json('/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected.map((r: any) => r.line)).toEqual([2, 4]);
    expect(res.body.rejected[1].reason).toMatch(/event_time/);
    const arr = await s.json('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([ev('A', 3), { event_code: 5 }]) });
    expect(arr.body).toEqual({ accepted: 1, rejected: [{ line: 2, reason: 'event_code must be a non-empty string' }] });
    const notArray = await s.json('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a": 1}' });
    expect(notArray).toMatchObject({ status: 400, body: { error: 'a JSON body must be an array of events' } });
    const bytes = Buffer.concat([Buffer.from(`${JSON.stringify(ev('A', 4))}\n{"event_code": "\xff"}\n`, 'latin1')]);
    const bad = await s.json('/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: bytes });
    expect(bad.body).toEqual({ accepted: 1, rejected: [{ line: 2, reason: 'the line is not valid UTF-8' }] });
    expect(s.server.storage.counts()).toMatchObject({ events: 4, rejects: 4 });
  });

  it('makes a batch resent with its Idempotency-Key a no-op that answers as the first time', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    const batch = [ev('A', 1), ev('B', 2)];
    const first = await s.post(batch, { 'idempotency-key': 'batch-1' });
    const again = await s.post(batch, { 'idempotency-key': 'batch-1' });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(s.server.storage.counts().events).toBe(2);
    expect((await s.outputs()).length).toBe(1);
    expect((await s.post(batch, { 'idempotency-key': 'has space' })).status).toBe(400);
  });

  it('appends batches posted together, each once, also two with one Idempotency-Key', async () => {
    const s = await start();
    const batches = Array.from({ length: 6 }, (_, i) => [ev('A', 10 * i), ev('C', 10 * i + 1)]);
    const answers = await Promise.all([
      ...batches.map((b, i) => s.post(b, { 'idempotency-key': `group-${i}` })),
      s.post(batches[0], { 'idempotency-key': 'group-0' }),
      s.post(batches[0], { 'idempotency-key': 'group-0' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.every((a) => a.body.accepted === 2)).toBe(true);
    // the three with key group-0: appended once, two of them answered as repeats
    expect([answers[0], answers[6], answers[7]].filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect(s.server.storage.counts().events).toBe(12);
  });

  it('refuses bodies over the limit and batches over the count', async () => {
    const s = await start({ bodyLimit: 2048, maxBatchEvents: 3 });
    const big = await s.post(Array.from({ length: 40 }, (_, i) => ev('A', i)));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/larger than 2048 bytes/);
    const many = await s.post([ev('A', 1), ev('A', 2), ev('A', 3), ev('A', 4)]);
    expect(many).toMatchObject({ status: 400, body: { error: 'a batch holds at most 3 events' } });
  });
});

describe('processing', () => {
  it('matches over the log and writes each output once, with its id, in the outbox', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000), ev('A', 1500, 'u2'), ev('B', 2000), ev('B', 2500, 'u2')]);
    const outs = await s.outputs();
    expect(outs.map((o) => [o.seq, o.rule, o.version, o.event.user_id, o.event.extra_info.first])).toEqual([
      [1, 'pair', 1, 'u1', 1000],
      [2, 'pair', 1, 'u2', 1500],
    ]);
    expect(new Set(outs.map((o) => o.id)).size).toBe(2);
    const page = await s.json('/v1/outputs?after=1&limit=5');
    expect(page.body).toMatchObject({ last: 2, outputs: [{ seq: 2 }] });
    expect((await s.json('/v1/outputs?after=-1')).status).toBe(400);
  });

  it('streams outputs as Server-Sent Events that resume after Last-Event-ID', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000), ev('B', 2000), ev('A', 3000), ev('B', 4000)]);
    await s.outputs();
    const res = await s.fetch('/v1/outputs/stream', { headers: { 'last-event-id': '1' } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const frames = () => text.split('\n\n').filter((f) => f.includes('data: '));
    while (frames().length < 1) text += new TextDecoder().decode((await reader.read()).value);
    await s.post([ev('A', 5000), ev('B', 6000)]);
    while (frames().length < 2) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const seen = frames().map((f) => ({ id: /^id: (\d+)$/m.exec(f)![1], data: JSON.parse(/^data: (.*)$/m.exec(f)![1]) }));
    expect(seen.map((f) => [f.id, f.data.seq, f.data.event.extra_info.first])).toEqual([
      ['2', 2, 3000],
      ['3', 3, 5000],
    ]);
  });

  it('starts a new version afresh: the old version’s partial matches end', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000)]);
    await s.put('pair', PAIR);
    await s.post([ev('B', 2000), ev('A', 3000), ev('B', 4000)]);
    expect((await s.outputs()).map((o) => [o.version, o.event.extra_info.first])).toEqual([[2, 3000]]);
  });

  it('matches nothing for a stopped rule, and starts it afresh', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000)]);
    expect((await s.json('/v1/rules/pair/stop', { method: 'POST' })).body.state).toBe('stopped');
    await s.post([ev('B', 2000), ev('A', 3000)]);
    await s.json('/v1/rules/pair/start', { method: 'POST' });
    await s.post([ev('B', 4000), ev('A', 5000), ev('B', 6000)]);
    expect((await s.outputs()).map((o) => o.event.extra_info.first)).toEqual([5000]);
    expect((await s.fetch('/v1/rules/pair', { method: 'DELETE' })).status).toBe(204);
    expect((await s.json('/v1/rules/pair')).status).toBe(404);
  });

  it('advances event time with the clock on a quiet stream, so absence rules fire', async () => {
    const s = await start({ idleTimeoutMs: 5000 });
    await s.put('no_pay', ABSENT);
    await s.post([ev('ORDER', 100_000), ev('ORDER', 100_500, 'u2'), ev('PAY', 101_000, 'u2')]);
    await s.server.drained();
    expect(await s.outputs()).toEqual([]);
    s.clock += 4000;
    s.server.tick(); // not quiet long enough
    expect(await s.outputs()).toEqual([]);
    s.clock += 7000;
    s.server.tick();
    expect((await s.outputs()).map((o) => o.event.user_id)).toEqual(['u1']);
  });

  it('replays a rule, deployed or given as text, over a stored range, emitting nothing', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000), ev('B', 2000), ev('A', 3000), ev('B', 4000), ev('A', 5000, 'u2'), ev('B', 9000, 'u2')]);
    const live = await s.outputs();
    expect(live.length).toBe(3);
    const all = await s.json('/v1/rules/pair/replay', { method: 'POST' });
    expect(all.body).toMatchObject({ rule: 'pair', events: 6, late: 0 });
    expect(all.body.outputs).toEqual(live.map((o) => o.event));
    const range = await s.json('/v1/rules/pair/replay?from=2500&to=1970-01-01T00:00:06Z', { method: 'POST' });
    expect(range.body.outputs.map((o: any) => o.extra_info.first)).toEqual([3000]);
    // another version, given as text: a window too short for u2's pair
    const text = await s.json('/v1/rules/pair/replay', { method: 'POST', body: PAIR.replace('1 MINUTE', '3 SECONDS') });
    expect(text.body.outputs.map((o: any) => o.extra_info.first)).toEqual([1000, 3000]);
    expect(await s.outputs()).toEqual(live);
    expect((await s.json('/v1/rules/pair/replay?from=yesterday', { method: 'POST' })).status).toBe(400);
    expect((await s.json('/v1/rules/nope/replay', { method: 'POST' })).status).toBe(404);
  });

  it('backfills a rule deployed with ?from=TIME over the stored events, then runs it live', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000), ev('B', 2000), ev('A', 3000), ev('B', 900), ev('A', 4000)]);
    const other = PAIR.replace('"pair"', '"pair2"');
    expect((await s.json('/v1/rules/pair2?from=2500', { method: 'PUT', body: other })).status).toBe(201);
    expect((await s.json('/v1/rules/pair3?from=1970-01-01T00:00:03.5Z', { method: 'PUT', body: PAIR.replace('"pair"', '"pair3"') })).status).toBe(201);
    await s.post([ev('B', 5000)]);
    const outs = (await s.outputs()).filter((o) => o.rule !== 'pair');
    // the backfill takes the A at 3000 (pair2) or 4000 (pair3), which the live B completes (the
    // default skip past the last event drops the later A); the late B at 900 is never taken
    expect(outs.map((o) => [o.rule, o.event.extra_info.first])).toEqual([
      ['pair2', 3000],
      ['pair3', 4000],
    ]);
    await s.stop();
    const t = await s.restart();
    servers.push(t);
    expect((await t.outputs()).filter((o) => o.rule !== 'pair')).toEqual(outs);
    expect((await t.json('/v1/rules/x?from=soon', { method: 'PUT', body: other.replace('"pair2"', '"x"') })).status).toBe(400);
    expect(t.server.storage.counts().late).toBe(1);
  });

  it('keeps late events in the late table', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 5000), ev('B', 1000)]);
    await s.server.drained();
    expect(s.server.storage.counts().late).toBe(1);
  });

  it('replays the log on restart: the same outputs with the same ids, none twice, and matching goes on', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000), ev('B', 2000), ev('A', 3000)]);
    const before = await s.outputs();
    await s.stop();
    const t = await s.restart();
    servers.push(t);
    expect(await t.outputs()).toEqual(before);
    await t.post([ev('B', 4000)]);
    const after = await t.outputs();
    expect(after.map((o) => o.event.extra_info.first)).toEqual([1000, 3000]);
    expect(after.slice(0, 1)).toEqual(before);
  });
});

describe('checkpoints', () => {
  it('restore the processing state after a crash: the same outputs and ids as replaying the whole log', async () => {
    const calls = async (s: TestServer) => {
      await s.put('pair', PAIR);
      await s.post([ev('A', 1000), ev('A', 1500, 'u2'), ev('B', 1600, 'u3')]);
      await s.server.drained();
    };
    const plain = await start({ checkpointEvery: 0 });
    await calls(plain);
    await plain.post([ev('B', 2000), ev('B', 2500, 'u2')]);
    const expected = await plain.outputs();
    expect(expected.length).toBe(2);

    const s = await start({ checkpointEvery: 1 });
    await calls(s);
    expect(s.server.storage.checkpoint()?.position).toBe(s.server.storage.lastSeq());
    // a crash: the next process opens the data folder without this one closing it
    const t = await testServer({ checkpointEvery: 1 }, s.data);
    servers.push(t);
    await t.post([ev('B', 2000), ev('B', 2500, 'u2')]);
    expect(await t.outputs()).toEqual(expected);
  });

  it('write only the keys changed since the last one; a new version or a deleted rule drops its keys', async () => {
    const s = await start({ checkpointEvery: 1 });
    const stored = () => (s.server.storage.checkpoint()?.keys.get('pair') ?? []).map(([key]) => JSON.parse(key)).sort();
    await s.put('pair', PAIR);
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    await s.post(users.map((u, i) => ev('A', 1000 + i, u)));
    await s.server.drained();
    expect(stored()).toEqual([...users].sort());
    expect(s.server.processor.lastCheckpoint?.keys).toBe(40);

    await s.post([ev('A', 2000, 'u7')]);
    await s.server.drained();
    expect(s.server.processor.lastCheckpoint?.keys).toBe(1); // u7's state only
    expect(stored()).toHaveLength(40);

    await s.post([ev('B', 2100, 'u7')]); // both of u7's runs complete: the key has no state left
    await s.server.drained();
    expect(stored()).toEqual(users.filter((u) => u !== 'u7').sort());
    await s.post([ev('B', 70_000, 'u8')]); // every run has timed out by then
    await s.server.drained();
    expect(stored()).toEqual([]);

    // a new version starts afresh: the old version's keys are gone with its state
    await s.put('pair', PAIR.replace('1 MINUTE', '2 MINUTE'));
    await s.post([ev('A', 80_000, 'u1')]);
    await s.server.drained();
    expect(stored()).toEqual(['u1']);
    expect((await s.json('/v1/rules/pair', { method: 'DELETE' })).status).toBe(204);
    await s.post([ev('A', 90_000, 'u2')]);
    await s.server.drained();
    expect(stored()).toEqual([]);
  });

  it('go on after the processing thread fails: a new one starts from the last checkpoint, nothing is lost', async () => {
    const plain = await start({ checkpointEvery: 0 });
    await plain.put('pair', PAIR);
    await plain.post([ev('A', 1000), ev('A', 1500, 'u2'), ev('B', 1600, 'u3'), ev('B', 2000), ev('B', 2500, 'u2')]);
    const expected = await plain.outputs();
    expect(expected.length).toBe(2);

    const s = await start({ checkpointEvery: 2 });
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000), ev('A', 1500, 'u2'), ev('B', 1600, 'u3')]);
    await s.server.drained();
    await (s.server.processor as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await s.post([ev('B', 2000), ev('B', 2500, 'u2')]);
    expect(await s.outputs()).toEqual(expected);
  });

  it('are written at shutdown, and a restart goes on from them', async () => {
    const s = await start({ checkpointEvery: 0 });
    await s.put('pair', PAIR);
    await s.post([ev('A', 1000)]);
    await s.stop();
    const t = await s.restart();
    servers.push(t);
    expect(t.server.storage.checkpoint()?.position).toBe(t.server.storage.lastSeq());
    await t.post([ev('B', 2000)]);
    expect((await t.outputs()).map((o) => o.event.extra_info.first)).toEqual([1000]);
  });
});

describe('security', () => {
  const tokens = [
    { token: 'ingest-token-0123456789', scopes: ['ingest'] },
    { token: 'admin-token-0123456789', scopes: ['admin', 'read'] },
  ];
  it('asks for a token (401), and for the scope (403), on every endpoint but health', async () => {
    const s = await start({ tokens });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await s.fetch('/healthz')).status).toBe(200);
    expect((await s.fetch('/v1/rules')).status).toBe(401);
    expect((await s.fetch('/v1/rules', { headers: bearer('wrong-token-0123456789') })).status).toBe(401);
    expect((await s.fetch('/v1/rules', { headers: bearer(tokens[0].token) })).status).toBe(403);
    expect((await s.fetch('/v1/rules', { headers: bearer(tokens[1].token) })).status).toBe(200);
    const put = await s.fetch('/v1/rules/pair', { method: 'PUT', body: PAIR, headers: bearer(tokens[0].token) });
    expect(put.status).toBe(403);
    expect((await put.json()).error).toMatch(/"admin" scope/);
    expect((await s.fetch('/v1/events', { method: 'POST', body: JSON.stringify(ev('A', 1)), headers: bearer(tokens[0].token) })).status).toBe(200);
    expect((await s.fetch('/metrics')).status).toBe(401);
  });

  it('refuses to listen beyond the loopback without tokens', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toThrow(/listens on 127.0.0.1 only/);
  });
});

describe('operations', () => {
  it('answers health, readiness and Prometheus metrics', async () => {
    const s = await start();
    await s.put('pair', PAIR);
    await s.post([ev('A', 1), ev('B', 2), { event_code: '' }]);
    await s.server.drained();
    expect((await s.json('/readyz')).body).toEqual({ ready: true });
    const metrics = await (await s.fetch('/metrics')).text();
    expect(metrics).toMatch(/^cepheus_events_in_total 2$/m);
    expect(metrics).toMatch(/^cepheus_rejects_total 1$/m);
    expect(metrics).toMatch(/^cepheus_outputs_total\{rule="pair"\} 1$/m);
    expect(metrics).toMatch(/^cepheus_lag_entries 0$/m);
  });

  it('answers an unknown endpoint with 404 and a message', async () => {
    const s = await start();
    expect(await s.json('/v2/nothing')).toMatchObject({ status: 404, body: { error: 'no such endpoint: GET /v2/nothing' } });
  });
});
