/** The built `cepheus serve` in a process of its own, and a keep-alive HTTP client for it (S1, SOAK). */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const cepheusBin = fileURLToPath(new URL('../packages/cli/bin/cepheus.js', import.meta.url));

/**
 * Starts `cepheus serve ARGS...` and resolves with the process and its URL once it listens.
 * SERVE_NODE_ARGS adds options for node (for instance `--cpu-prof --cpu-prof-dir=DIR`); SERVE_LOG=FILE
 * appends the service's log to FILE.
 */
export function startServe(args: string[]): Promise<{ child: ChildProcess; url: URL }> {
  const nodeArgs = (process.env.SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // SERVE_LOG=FILE keeps the service's log (its standard output)
  const out = process.env.SERVE_LOG ? openSync(process.env.SERVE_LOG, 'a') : 'ignore';
  const child = spawn(process.execPath, [...nodeArgs, cepheusBin, 'serve', '--port', '0', ...args], { stdio: ['ignore', out, 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+),/.exec(err);
      if (m) resolve({ child, url: new URL(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`cepheus serve exited (${code}): ${err}`)));
  });
}

/** A request function over node:http keep-alive connections (less overhead per batch than fetch). */
export function httpClient(url: URL, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const request = (method: string, path: string, body = '', headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method, path, agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { request, close: () => agent.destroy() };
}
