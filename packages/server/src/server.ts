import type { FastifyInstance } from 'fastify';
import { ConfigError, isLoopback, type ServerConfig } from './config.js';
import { buildApp } from './http/app.js';
import { OutputStream } from './http/output-stream.js';
import { Metrics } from './metrics.js';
import { ProcessingThread } from './processing/processing-thread.js';
import { CompiledRules } from './rules/compiled-rules.js';
import { RuleService } from './rules/rule-service.js';
import { JsonlSink } from './sinks/jsonl-sink.js';
import { NatsSink } from './sinks/nats-sink.js';
import { WebhookSink } from './sinks/webhook-sink.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import type { Storage } from './storage/storage.js';

/** Where outputs are delivered: told when new ones are in the outbox, closed at shutdown. */
interface Sink {
  deliver(): void;
  close(): void | Promise<void>;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** The address it listens on, as http://host:port. */
  readonly url: string;
  readonly storage: Storage;
  /** Processing, in a thread of its own. */
  readonly processor: ProcessingThread;
  /** Resolves once the log is processed as far as it reaches now. */
  drained(): Promise<void>;
  /** Appends a clock tick now if the stream has been quiet for the idle timeout (the timer calls it too). */
  tick(): void;
  /** Stops taking requests, processes what the log holds, delivers to the sinks, closes the storage. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The wall clock (tests give their own). */
  now?: () => number;
  /** Whether to start the idle timer (tests call tick themselves). Default true. */
  idleTimer?: boolean;
}

/**
 * Starts the service: opens the storage in the data folder, restores the last checkpoint, listens,
 * and replays the log after the checkpoint (readyz answers 503 until done). Without tokens it
 * listens on the loopback only.
 */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  if (config.tokens.length === 0 && !isLoopback(config.host)) {
    throw new ConfigError(`no tokens are configured, so the service listens on 127.0.0.1 only; give tokens (--config FILE or CEPHEUS_TOKENS) to listen on ${config.host}`);
  }
  const now = options.now ?? Date.now;
  const storage = new SqliteStorage(config.data, config.synchronous);
  let warn = (_message: string): void => {};
  const sinks: Sink[] = config.sinks.map((s) => {
    if (s.type === 'jsonl') return new JsonlSink(storage, s.path);
    if (s.type === 'webhook') return new WebhookSink(storage, { url: s.url, log: (m) => warn(m), ...(s.secret !== undefined ? { secret: s.secret } : {}) });
    return new NatsSink(storage, { servers: s.servers, subject: s.subject, log: (m) => warn(m), ...(s.stream !== undefined ? { stream: s.stream } : {}) });
  });
  const outputs = new OutputStream(storage);
  let metrics: Metrics | undefined;
  const compiled = new CompiledRules(storage);
  let log: { warn(message: string): void; fatal(o: object, message: string): void } | undefined;
  const processor = await ProcessingThread.start({
    setup: { data: config.data, synchronous: config.synchronous, outOfOrdernessMs: config.outOfOrdernessMs, checkpointEvery: config.checkpointEvery },
    storage,
    onOutputs: (added, late) => {
      for (const o of added) metrics?.outputs.inc({ rule: o.rule });
      metrics?.late.inc(late);
      outputs.notify();
      for (const sink of sinks) sink.deliver();
    },
    onCrash: (error, restartInMs) => log?.fatal({ err: error, restartInMs }, 'processing failed; it starts again from the last checkpoint'),
  });
  metrics = new Metrics({
    lag: () => storage.lastSeq() - processor.processed,
    counts: () => processor.counts(),
    watermark: () => processor.watermark,
    checkpoint: () => processor.lastCheckpoint,
  });
  const rules = new RuleService(storage, compiled, () => processor.notify());
  let ready = false;
  let lastAppend = now();
  let lastTick = -Infinity;
  const app = buildApp({
    config,
    storage,
    processor,
    rules,
    metrics,
    outputs,
    ready: () => ready,
    appended: () => {
      lastAppend = now();
    },
  });
  warn = (message) => app.log.warn(message);
  log = app.log;
  const tick = () => {
    if (config.idleTimeoutMs === 0 || !ready || processor.processed < storage.lastSeq()) return;
    const quiet = now() - lastAppend;
    if (quiet < config.idleTimeoutMs || !Number.isFinite(processor.maxEventTime)) return;
    const watermark = processor.maxEventTime + quiet;
    if (watermark <= lastTick) return;
    lastTick = watermark;
    storage.appendTick(watermark);
    processor.notify();
  };
  const timer = options.idleTimer === false || config.idleTimeoutMs === 0 ? undefined : setInterval(tick, Math.min(config.idleTimeoutMs, 1000));
  timer?.unref();
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  for (const sink of sinks) sink.deliver(); // what an earlier run left undelivered
  // the replay runs after listen, a chunk per turn, so that health and readiness answer meanwhile
  void processor.drained().then(() => {
    ready = true;
    app.log.info({ processed: processor.processed }, 'log replayed; ready');
  });
  return {
    app,
    url,
    storage,
    processor,
    drained: () => processor.drained(),
    tick,
    close: async () => {
      if (timer) clearInterval(timer);
      outputs.closeAll();
      await app.close();
      await processor.close();
      for (const sink of sinks) {
        sink.deliver();
        await sink.close();
      }
      storage.close();
    },
  };
}
