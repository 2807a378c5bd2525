// The rule service: `cepheus serve` (see docs/server.md)
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { loadConfig, ConfigError, DEFAULTS, type ServerConfig, type TokenConfig, type Scope, type SinkConfig } from './config.js';
export type { Storage, LogEntry, OutboxEntry, RuleRecord, RuleVersion, RuleRef, Reject } from './storage/storage.js';
export { SqliteStorage, type Synchronous } from './storage/sqlite-storage.js';
