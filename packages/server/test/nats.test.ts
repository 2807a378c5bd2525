/**
 * The NATS JetStream sink against a real nats-server (the Debian package; .ci/run installs it).
 * Skipped only where no nats-server binary is installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev, testServer } from './helpers.ts';

const haveNats = spawnSync('nats-server', ['--version']).status === 0;
const PAIR = 'RULENAME "pair"\na: A\nb: B\nEVENT a -> b\nWITHIN 1 MINUTE\nRETURN first=a.event_time';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

let nats: ChildProcess | undefined;
let url = '';
const dir = mkdtempSync(join(tmpdir(), 'cepheus-nats-'));

beforeAll(async () => {
  if (!haveNats) return;
  const port = await freePort();
  url = `nats://127.0.0.1:${port}`;
  nats = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dir, 'js')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    // ready once JetStream answers (it starts after the server takes connections)
    const nc = await connect({ servers: url }).catch(() => undefined);
    const ready =
      nc !== undefined &&
      (await nc
        .jetstreamManager()
        .then((m) => m.getAccountInfo())
        .then(
          () => true,
          () => false,
        ));
    await nc?.close();
    if (ready) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nats-server did not start');
});
afterAll(async () => {
  nats?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveNats)('the NATS JetStream sink (needs nats-server)', () => {
  it('publishes each output with Nats-Msg-Id = its id, so the stream keeps one message per id', async () => {
    const s = await testServer({ sinks: [{ type: 'nats', servers: url, subject: 'cepheus.outputs', stream: 'CEPHEUS' }] });
    try {
      await s.put('pair', PAIR);
      await s.post([ev('A', 1), ev('B', 2), ev('A', 3, 'u2'), ev('B', 4, 'u2')]);
      const outputs = await s.outputs();
      expect(outputs.length).toBe(2);
      const nc = await connect({ servers: url });
      const jsm = await nc.jetstreamManager();
      // the sink publishes in the background (and retries): wait for both messages
      const stored = () =>
        jsm.streams.info('CEPHEUS').then(
          (i) => i.state.messages,
          () => 0,
        );
      for (let i = 0; i < 200 && (await stored()) < 2; i++) await new Promise((r) => setTimeout(r, 25));
      const js = nc.jetstream();
      const got: { id: string | undefined; body: { id: string } }[] = [];
      for (let seq = 1; seq <= 2; seq++) {
        const m = await jsm.streams.getMessage('CEPHEUS', { seq });
        got.push({ id: m.header?.get('Nats-Msg-Id'), body: m.json() });
      }
      expect(got.map((g) => g.id)).toEqual(outputs.map((o) => o.id));
      expect(got.map((g) => g.body)).toEqual(outputs);
      // a delivery repeated after a crash: the stream drops it
      const h = natsHeaders();
      const ack = await js.publish('cepheus.outputs', new TextEncoder().encode(JSON.stringify(outputs[0])), { msgID: outputs[0].id, headers: h });
      expect(ack.duplicate).toBe(true);
      expect((await jsm.streams.info('CEPHEUS')).state.messages).toBe(2);
      await nc.close();
    } finally {
      await s.dispose();
    }
  });
});
