import { createHash } from 'node:crypto';
import { parseTime } from '@cepheus/rules';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Scope, ServerConfig } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { ProcessingThread } from '../processing/processing-thread.js';
import { LogAppender } from './log-appender.js';
import { replay } from '../processing/replay.js';
import { RuleRequestError, type RuleService } from '../rules/rule-service.js';
import type { Storage } from '../storage/storage.js';
import { BatchError, readBatch, validIdempotencyKey } from './ingest.js';
import type { OutputStream } from './output-stream.js';

export interface AppParts {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly processor: ProcessingThread;
  readonly rules: RuleService;
  readonly metrics: Metrics;
  readonly outputs: OutputStream;
  /** Whether the log has been replayed since start (readiness). */
  readonly ready: () => boolean;
  /** Called after events were appended (the idle clock restarts). */
  readonly appended: () => void;
}

/** An error answered as `{ error, ... }` with its status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The scope a request needs: health needs none, ingestion `ingest`, reading `read`, changes `admin`. */
function scopeFor(method: string, url: string): Scope | null {
  const path = url.split('?')[0];
  if (path === '/healthz' || path === '/readyz') return null;
  if (path === '/v1/events') return 'ingest';
  if (method === 'GET' || method === 'HEAD' || path === '/v1/check' || path.endsWith('/replay')) return 'read';
  return 'admin';
}

const ruleName = (req: FastifyRequest) => (req.params as { name: string }).name;
const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** The HTTP API (fastify: schema-free JSON routes, raw bodies read by the routes themselves). */
export function buildApp(parts: AppParts): FastifyInstance {
  const { config, storage, processor, rules, metrics, outputs } = parts;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.bodyLimit,
  });

  // every body is read by its route: rule text, NDJSON or a JSON array of events
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const appender = new LogAppender(storage);
  const tokens = new Map(config.tokens.map((t) => [t.token, new Set(t.scopes)]));
  app.addHook('onRequest', async (req, reply) => {
    if (tokens.size === 0) return;
    const scope = scopeFor(req.method, req.url);
    if (scope === null) return;
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const scopes = token === undefined ? undefined : tokens.get(token);
    if (scopes === undefined) {
      reply
        .header('www-authenticate', 'Bearer')
        .code(401)
        .send({ error: token === undefined ? 'this endpoint needs a bearer token (Authorization: Bearer TOKEN)' : 'the token is not valid' });
      return reply;
    }
    if (!scopes.has(scope)) {
      reply.code(403).send({ error: `the token does not have the "${scope}" scope this endpoint needs` });
      return reply;
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof RuleRequestError) return reply.code(err.status).send({ error: err.message, errors: err.problems });
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.message, ...err.extra });
    if (err instanceof BatchError) return reply.code(400).send({ error: err.message });
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      app.log.error(err);
      return reply.code(500).send({ error: 'internal error; the service log has the details' });
    }
    const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the body is larger than ${config.bodyLimit} bytes` : err.message;
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` }));

  const text = (req: FastifyRequest): string => {
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'the body must hold the rule text (text/plain)');
    if (body.length > config.maxRuleLength) throw new HttpError(413, `a rule text is at most ${config.maxRuleLength} characters`);
    return body.toString('utf8');
  };
  const describeRule = async (name: string) => {
    const r = rules.require(name);
    const c = rules.compiledOf(r);
    const state = await processor.counts();
    const counts = { ...storage.ruleCounts(name), keys: state.keys.get(name) ?? 0, partialMatches: state.partialMatches.get(name) ?? 0 };
    return { name: r.name, version: r.version, state: r.state, createdAt: r.createdAt, text: r.text, key: c.keyDescription, kind: c.kind, pattern: c.patternText, counts };
  };
  const sendJson = (req: FastifyRequest, reply: FastifyReply, doc: unknown) => {
    const body = JSON.stringify(doc);
    const etag = etagOf(body);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json').send(body);
  };

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => (parts.ready() ? { ready: true } : reply.code(503).send({ ready: false, error: 'replaying the log' })));
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  app.post('/v1/check', async (req) => {
    const rule = rules.check(text(req));
    return { ok: true, name: rule.name, key: rule.keyDescription, pattern: rule.patternText };
  });
  app.get('/v1/rules', async () => ({ rules: storage.rules().map((r) => ({ name: r.name, version: r.version, state: r.state, createdAt: r.createdAt })) }));
  /** A time given in a query: epoch ms, or date-time text (as event times are read). */
  const queryTime = (q: Record<string, string | undefined>, name: string, missing: number) => {
    const v = q[name];
    if (v === undefined) return missing;
    try {
      return parseTime(/^-?\d+$/.test(v) ? Number(v) : v);
    } catch (e) {
      throw new HttpError(400, `${name}: ${(e as Error).message}`);
    }
  };
  app.put('/v1/rules/:name', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const from = q.from === undefined ? undefined : queryTime(q, 'from', 0);
    const v = rules.deploy(ruleName(req), text(req), from);
    metrics.deploys.inc();
    return reply.code(201).send({ name: v.name, version: v.version, state: 'running' });
  });
  app.get('/v1/rules/:name', async (req) => describeRule(ruleName(req)));
  app.get('/v1/rules/:name/versions', async (req) => {
    rules.require(ruleName(req));
    return { versions: storage.versions(ruleName(req)).map((v) => ({ version: v.version, createdAt: v.createdAt, text: v.text })) };
  });
  app.post('/v1/rules/:name/stop', async (req) => {
    rules.setState(ruleName(req), 'stopped');
    return describeRule(ruleName(req));
  });
  app.post('/v1/rules/:name/start', async (req) => {
    rules.setState(ruleName(req), 'running');
    return describeRule(ruleName(req));
  });
  app.delete('/v1/rules/:name', async (req, reply) => {
    rules.delete(ruleName(req));
    return reply.code(204).send();
  });
  app.post('/v1/rules/:name/replay', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const from = queryTime(q, 'from', -Infinity);
    const to = queryTime(q, 'to', Infinity);
    // the rule in the body, or the deployed one
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body.toString('utf8') : undefined;
    const rule = body === undefined ? rules.compiledOf(rules.require(ruleName(req))) : rules.check(body, ruleName(req));
    try {
      const result = replay(storage, rule, from, to, config.outOfOrdernessMs, config.maxReplayEvents);
      return { rule: rule.name, from: Number.isFinite(from) ? from : null, to: Number.isFinite(to) ? to : null, ...result };
    } catch (e) {
      if (e instanceof RangeError) throw new HttpError(400, e.message);
      throw e;
    }
  });
  app.get('/v1/rules/:name/compiled', async (req, reply) => sendJson(req, reply, rules.json(rules.require(ruleName(req)))));
  app.get('/v1/rules.json', async (req, reply) => sendJson(req, reply, rules.runningJson()));

  app.post('/v1/events', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !validIdempotencyKey(key))) {
      throw new HttpError(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    if (typeof key === 'string') {
      const answer = storage.answerFor(key);
      if (answer !== undefined) return reply.header('idempotent-replayed', 'true').type('application/json').send(answer);
    }
    const lag = storage.lastSeq() - processor.processed;
    if (lag > config.maxLag) {
      metrics.throttled.inc();
      reply.header('retry-after', '1');
      throw new HttpError(429, `processing lags the log by ${lag} entries (at most ${config.maxLag}); retry later`, { lag });
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = String(req.headers['content-type'] ?? '');
    const batch = readBatch(body, type.startsWith('application/json'), config.maxBatchEvents);
    const result = { accepted: batch.events.length, rejected: batch.rejects.map((r) => ({ line: r.line, reason: r.reason })) };
    const answer = JSON.stringify(result);
    const first = await appender.append({ events: batch.events, rejects: batch.rejects, ...(typeof key === 'string' ? { idempotency: { key, answer } } : {}) });
    if (first !== undefined) return reply.header('idempotent-replayed', 'true').type('application/json').send(first);
    metrics.eventsIn.inc(batch.events.length);
    metrics.rejects.inc(batch.rejects.length);
    parts.appended();
    processor.notify();
    return reply.type('application/json').send(answer);
  });

  app.get('/v1/outputs', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const after = q.after === undefined ? 0 : Number(q.after);
    const limit = q.limit === undefined ? 1000 : Number(q.limit);
    if (!Number.isInteger(after) || after < 0) throw new HttpError(400, 'after: expected an outbox position (an integer >= 0)');
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, 'limit: expected an integer from 1 to 10000');
    const rows = storage.outputsAfter(after, limit);
    return { outputs: rows, last: rows.length > 0 ? rows[rows.length - 1].seq : after };
  });
  app.get('/v1/outputs/stream', (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const from = req.headers['last-event-id'] ?? q.after ?? '0';
    const after = Number(from);
    if (!Number.isInteger(after) || after < 0) {
      reply.code(400).send({ error: 'Last-Event-ID (or after): expected an outbox position' });
      return;
    }
    outputs.stream(req, reply, after);
  });

  return app;
}
