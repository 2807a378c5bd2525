import { parseArgs } from 'node:util';
import { parseDuration, UsageError } from './options.js';

export const SERVE_HELP = `usage: cepheus serve --data DIR [--host 127.0.0.1] [--port 7878] [--config FILE]

Starts the rule service: rules over HTTP, a durable event log in DIR (one SQLite database),
outputs in an outbox with ids, delivered to sinks at least once. See docs/server.md.

      --data DIR               the data folder (created if missing)
      --host HOST              the address to listen on (default 127.0.0.1; other addresses need tokens)
      --port PORT              the port (default 7878; 0 picks a free one)
      --config FILE            a JSON config file: every option of docs/server.md, tokens and sinks
      --out-of-orderness DUR   how late an event may come and still be reordered (default 0)
      --idle-timeout DUR       with no event for this long, event time advances with the clock (default 5s; 0: never)
      --log-level LEVEL        info (default), warn, error, debug, silent

Stops on SIGTERM or SIGINT: it finishes processing what the log holds and closes the database.`;

/** cepheus serve: starts the service and runs until a signal. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      config: { type: 'string' },
      'out-of-orderness': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'log-level': { type: 'string' },
    },
    allowPositionals: false,
  });
  let server: typeof import('@cepheus/server');
  try {
    server = await import('@cepheus/server');
  } catch (e) {
    process.stderr.write(`cepheus serve needs the package @cepheus/server (npm install @cepheus/server): ${(e as Error).message}\n`);
    return 1;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port: '${values.port}' is not a port number`);
  let config: import('@cepheus/server').ServerConfig;
  try {
    config = server.loadConfig({
      ...(values.config !== undefined ? { config: values.config } : {}),
      ...(values.data !== undefined ? { data: values.data } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(values['out-of-orderness'] !== undefined ? { outOfOrdernessMs: Math.round(parseDuration(values['out-of-orderness'])) } : {}),
      ...(values['idle-timeout'] !== undefined ? { idleTimeoutMs: Math.round(parseDuration(values['idle-timeout'])) } : {}),
      ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
    });
  } catch (e) {
    if (e instanceof server.ConfigError) throw new UsageError(e.message.startsWith('data:') ? 'give the data folder: --data DIR' : e.message);
    throw e;
  }
  let running: import('@cepheus/server').RunningServer;
  try {
    running = await server.startServer(config);
  } catch (e) {
    if (e instanceof server.ConfigError) throw new UsageError(e.message);
    throw e;
  }
  if (config.tokens.length === 0) process.stderr.write(`cepheus serve: no tokens configured, so it listens on ${config.host} only (every endpoint is open there)\n`);
  process.stderr.write(`cepheus serve: listening on ${running.url}, data in ${config.data}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`cepheus serve: ${signal}: stopping\n`);
      running.close().then(
        () => resolve(0),
        (e: Error) => {
          process.stderr.write(`cepheus serve: stopping failed: ${e.message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
