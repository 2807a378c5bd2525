import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev, testServer, type TestServer } from './helpers.ts';

const TOKEN = 'fuzz-admin-token-0123456789';
let s: TestServer;
beforeAll(async () => {
  s = await testServer({ tokens: [{ token: TOKEN, scopes: ['admin', 'read', 'ingest'] }], bodyLimit: 64 * 1024, maxBatchEvents: 50 });
  await s.fetch('/v1/rules/pair', { method: 'PUT', body: 'RULENAME "pair"\na: A\nb: B\nEVENT a -> b', headers: { authorization: `Bearer ${TOKEN}` } });
});
afterAll(() => s.dispose());

const path = fc.oneof(
  fc.constantFrom('/v1/events', '/v1/rules', '/v1/rules/pair', '/v1/rules/nope', '/v1/rules/pair/versions', '/v1/rules/pair/stop', '/v1/rules/pair/start', '/v1/rules.json'),
  fc.constantFrom('/v1/rules/pair/compiled', '/v1/check', '/v1/outputs', '/v1/outputs?after=x', '/v1/outputs?limit=0', '/v1/outputs?after=1&limit=99999', '/metrics', '/readyz'),
  fc.string({ maxLength: 30 }).map((p) => `/v1/${encodeURIComponent(p)}`),
  fc.string({ maxLength: 20 }).map((n) => `/v1/rules/${encodeURIComponent(n)}`),
);
const jsonish = fc.oneof(
  fc.json(),
  fc
    .array(fc.record({ event_code: fc.oneof(fc.string(), fc.integer()), event_time: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), user_id: fc.anything() }))
    .map((a) => JSON.stringify(a)),
  fc.constant(JSON.stringify([ev('A', 1), ev('B', 2)])),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 300 }),
  jsonish,
  fc.constantFrom('RULENAME "pair"\na: A\nEVENT a WERE', 'RULENAME "nope"\na: A\nEVENT a', '{', '[', '\u0000\uffff', 'x'.repeat(70 * 1024)),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);
const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', 'application/octet-stream', 'multipart/form-data'),
    authorization: fc.constantFrom(`Bearer ${TOKEN}`, 'Bearer nope', 'Basic abc', ''),
    'idempotency-key': fc.oneof(fc.string({ maxLength: 40 }), fc.constant('k'.repeat(300))),
    'if-none-match': fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);

describe('the API under malformed requests', () => {
  it('answers 4xx with a message (never a 5xx, never a crash)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), path, body, headers, async (method, p, b, h) => {
        const cleaned = Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\x20-\x7e]*$/.test(v) && v !== ''));
        const res = await s.fetch(p, { method, headers: cleaned, ...(b !== undefined && method !== 'GET' ? { body: b } : {}) });
        const text = await res.text();
        expect(res.status, `${method} ${p} -> ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) expect(JSON.parse(text).error).toEqual(expect.any(String));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
    expect((await s.fetch('/healthz')).status).toBe(200);
  });
});
