import { readFileSync } from 'node:fs';
import type { Synchronous } from './storage/sqlite-storage.js';

export type Scope = 'ingest' | 'read' | 'admin';

export interface TokenConfig {
  readonly token: string;
  readonly scopes: readonly Scope[];
}

/** A sink the outbox is delivered to, at least once, in outbox order. */
export type SinkConfig =
  | { readonly type: 'jsonl'; readonly path: string }
  | { readonly type: 'webhook'; readonly url: string; readonly secret?: string }
  | { readonly type: 'nats'; readonly servers: string; readonly subject: string; readonly stream?: string };

/** Every option of `cepheus serve` (docs/server.md documents each). */
export interface ServerConfig {
  /** The data folder: the SQLite database lives there. */
  readonly data: string;
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly TokenConfig[];
  readonly synchronous: Synchronous;
  /** Allowed disorder of events in ms, as `cepheus run --out-of-orderness`. */
  readonly outOfOrdernessMs: number;
  /** With no event for this long (wall clock), event time advances with the clock; 0: never. */
  readonly idleTimeoutMs: number;
  /** A checkpoint of the processing state is written every this many log positions (0: only at shutdown). */
  readonly checkpointEvery: number;
  /** Log entries processing may lag behind before ingestion answers 429. */
  readonly maxLag: number;
  /** Largest request body in bytes. */
  readonly bodyLimit: number;
  /** Most events in one batch. */
  readonly maxBatchEvents: number;
  /** Most events one replay may run over. */
  readonly maxReplayEvents: number;
  /** Longest rule text in characters. */
  readonly maxRuleLength: number;
  readonly sinks: readonly SinkConfig[];
  /** pino log level ('info', 'warn', 'silent', ...). */
  readonly logLevel: string;
}

export const DEFAULTS: Omit<ServerConfig, 'data'> = {
  host: '127.0.0.1',
  port: 7878,
  tokens: [],
  synchronous: 'full',
  outOfOrdernessMs: 0,
  idleTimeoutMs: 5000,
  checkpointEvery: 1_000_000,
  maxLag: 1_000_000,
  bodyLimit: 64 * 1024 * 1024,
  maxBatchEvents: 100_000,
  maxRuleLength: 100_000,
  maxReplayEvents: 10_000_000,
  sinks: [],
  logLevel: 'info',
};

/** A configuration that cannot be used, with what is wrong in words. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const SCOPES = new Set<string>(['ingest', 'read', 'admin']);

/**
 * The configuration: the defaults, then the config file (JSON), then the environment
 * (CEPHEUS_TOKENS, a JSON array of tokens), then the given options. Every value is checked.
 */
export function loadConfig(options: Partial<ServerConfig> & { config?: string }, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  let file: Record<string, unknown> = {};
  if (options.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.config, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read the config file ${options.config}: ${(e as Error).message}`);
    }
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`the config file ${options.config} is not valid JSON: ${(e as Error).message}`);
    }
    if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new ConfigError(`the config file ${options.config} must hold a JSON object`);
  }
  const fromEnv: Record<string, unknown> = {};
  if (env.CEPHEUS_TOKENS !== undefined) {
    try {
      fromEnv.tokens = JSON.parse(env.CEPHEUS_TOKENS);
    } catch {
      throw new ConfigError('CEPHEUS_TOKENS must be a JSON array of {"token": "...", "scopes": [...]}');
    }
  }
  const given = Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && k !== 'config'));
  const merged: Record<string, unknown> = { ...DEFAULTS, ...file, ...fromEnv, ...given };
  const known = new Set([...Object.keys(DEFAULTS), 'data']);
  for (const key of Object.keys(merged)) if (!known.has(key)) throw new ConfigError(`unknown option "${key}"; the options are ${[...known].sort().join(', ')}`);
  return check(merged);
}

function check(c: Record<string, unknown>): ServerConfig {
  const str = (k: string) => {
    if (typeof c[k] !== 'string' || c[k] === '') throw new ConfigError(`${k}: expected a non-empty string`);
    return c[k] as string;
  };
  const int = (k: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${k}: expected an integer from ${min} to ${max}`);
    return v;
  };
  if (!Array.isArray(c.tokens)) throw new ConfigError('tokens: expected an array of {"token": "...", "scopes": [...]}');
  const tokens = (c.tokens as unknown[]).map((t, i): TokenConfig => {
    const r = t as Record<string, unknown>;
    if (r === null || typeof r !== 'object' || typeof r.token !== 'string' || r.token.length < 16)
      throw new ConfigError(`tokens[${i}].token: expected a string of 16 characters or more`);
    if (!Array.isArray(r.scopes) || r.scopes.length === 0 || r.scopes.some((s) => !SCOPES.has(s as string)))
      throw new ConfigError(`tokens[${i}].scopes: expected a list of ingest, read, admin`);
    return { token: r.token, scopes: r.scopes as Scope[] };
  });
  if (!Array.isArray(c.sinks)) throw new ConfigError('sinks: expected an array');
  const sinks = (c.sinks as unknown[]).map((s, i): SinkConfig => {
    const r = s as Record<string, unknown>;
    const shape = `sinks[${i}]: expected {"type": "jsonl", "path": "FILE"}, {"type": "webhook", "url": "http(s)://...", "secret": "..."} or {"type": "nats", "servers": "nats://...", "subject": "...", "stream": "..."}`;
    if (r === null || typeof r !== 'object') throw new ConfigError(shape);
    if (r.type === 'jsonl' && typeof r.path === 'string' && r.path !== '') return { type: 'jsonl', path: r.path };
    if (r.type === 'webhook' && typeof r.url === 'string' && /^https?:\/\//.test(r.url) && (r.secret === undefined || typeof r.secret === 'string')) {
      return r.secret === undefined ? { type: 'webhook', url: r.url } : { type: 'webhook', url: r.url, secret: r.secret };
    }
    if (r.type === 'nats' && typeof r.servers === 'string' && typeof r.subject === 'string' && r.subject !== '' && (r.stream === undefined || typeof r.stream === 'string')) {
      return r.stream === undefined ? { type: 'nats', servers: r.servers, subject: r.subject } : { type: 'nats', servers: r.servers, subject: r.subject, stream: r.stream };
    }
    throw new ConfigError(shape);
  });
  if (c.synchronous !== 'full' && c.synchronous !== 'normal') throw new ConfigError('synchronous: expected "full" or "normal"');
  return {
    data: str('data'),
    host: str('host'),
    port: int('port', 0, 65535),
    tokens,
    synchronous: c.synchronous,
    outOfOrdernessMs: int('outOfOrdernessMs', 0),
    idleTimeoutMs: int('idleTimeoutMs', 0),
    checkpointEvery: int('checkpointEvery', 0),
    maxLag: int('maxLag', 1),
    bodyLimit: int('bodyLimit', 1024),
    maxBatchEvents: int('maxBatchEvents', 1),
    maxRuleLength: int('maxRuleLength', 100),
    maxReplayEvents: int('maxReplayEvents', 1),
    sinks,
    logLevel: str('logLevel'),
  };
}

/** Whether a host name or address is this machine's loopback. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}
