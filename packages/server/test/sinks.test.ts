import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ev, testServer, type TestServer } from './helpers.ts';

const PAIR = 'RULENAME "pair"\na: A\nb: B\nEVENT a -> b\nWITHIN 1 MINUTE\nRETURN first=a.event_time';
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/** A webhook receiver that answers 500 to its first `failures` requests. */
async function receiver(failures: number) {
  const got: { body: string; signature: string | undefined }[] = [];
  let seen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (seen++ < failures) {
        res.writeHead(500).end('down');
        return;
      }
      got.push({ body: Buffer.concat(chunks).toString(), signature: req.headers['cepheus-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  cleanup.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${address.port}/hook`, got, attempts: () => seen };
}

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

describe('sinks', () => {
  it('deliver to a webhook with an HMAC signature, retrying until it answers 2xx', async () => {
    const hook = await receiver(2);
    const secret = 'a-webhook-secret';
    const s: TestServer = await testServer({ sinks: [{ type: 'webhook', url: hook.url, secret }] });
    cleanup.push(() => s.dispose());
    await s.put('pair', PAIR);
    await s.post([ev('A', 1), ev('B', 2), ev('A', 3, 'u2'), ev('B', 4, 'u2')]);
    const outputs = await s.outputs();
    await waitFor(() => hook.got.flatMap((g) => JSON.parse(g.body).outputs).length === outputs.length);
    expect(hook.attempts()).toBeGreaterThan(2);
    const delivered = hook.got.flatMap((g) => JSON.parse(g.body).outputs);
    expect(delivered).toEqual(outputs);
    for (const g of hook.got) expect(g.signature).toBe(`sha256=${createHmac('sha256', secret).update(g.body).digest('hex')}`);
  });

  it('append to a JSONL file, and go on after a restart without repeating what was delivered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cepheus-sink-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'outputs.jsonl');
    const t = await testServer({ sinks: [{ type: 'jsonl', path: file }] });
    cleanup.push(() => t.dispose());
    await t.put('pair', PAIR);
    await t.post([ev('A', 1), ev('B', 2)]);
    await t.outputs();
    await t.stop();
    const u = await t.restart();
    cleanup.push(() => u.dispose());
    await u.post([ev('A', 3), ev('B', 4)]);
    await u.outputs();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.event.extra_info.first])).toEqual([
      [1, 1],
      [2, 3],
    ]);
  });
});
