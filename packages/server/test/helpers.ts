import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startServer, type RunningServer, type ServerConfig } from '../src/index.ts';

export interface TestServer {
  server: RunningServer;
  readonly data: string;
  /** The wall clock the server reads (ms); tests move it. */
  clock: number;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }>;
  /** Posts NDJSON lines of events. */
  post(events: readonly object[], headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  put(name: string, text: string): Promise<{ status: number; body: any }>;
  /** Outputs in the outbox, after processing what the log holds. */
  outputs(): Promise<any[]>;
  /** Closes it, keeping the data folder (for a restart). */
  stop(): Promise<void>;
  /** A new server on the same data folder. */
  restart(): Promise<TestServer>;
  /** Closes it and removes the data folder. */
  dispose(): Promise<void>;
}

/** A server on a free loopback port, in a fresh data folder, quiet, with a clock the test moves. */
export async function testServer(options: Partial<ServerConfig> = {}, data = mkdtempSync(join(tmpdir(), 'cepheus-serve-'))): Promise<TestServer> {
  const config = loadConfig({ data, port: 0, logLevel: 'silent', ...options }, {});
  const t: TestServer = {
    data,
    clock: 1_000_000,
    server: undefined as unknown as RunningServer,
    fetch: (path, init) => fetch(`${t.server.url}${path}`, init),
    json: async (path, init) => {
      const res = await t.fetch(path, init);
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
    },
    post: (events, headers = {}) =>
      t.json('/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers }, body: events.map((e) => JSON.stringify(e)).join('\n') }),
    put: (name, text) => t.json(`/v1/rules/${name}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: text }),
    outputs: async () => {
      await t.server.drained();
      const all: any[] = [];
      for (let after = 0; ; ) {
        const { body } = await t.json(`/v1/outputs?after=${after}&limit=1000`);
        if (body.outputs.length === 0) return all;
        all.push(...body.outputs);
        after = body.last;
      }
    },
    stop: () => t.server.close(),
    restart: async () => {
      const next = await testServer(options, data);
      next.clock = t.clock;
      return next;
    },
    dispose: async () => {
      await t.server.close().catch(() => {});
      rmSync(data, { recursive: true, force: true });
    },
  };
  t.server = await startServer(config, { now: () => t.clock, idleTimer: false });
  await t.server.drained();
  return t;
}

/** A standard event. */
export const ev = (event_code: string, event_time: number, user_id: string | number = 'u1', extra_info: Record<string, unknown> = {}) => ({
  event_code,
  event_time,
  user_id,
  extra_info,
});
