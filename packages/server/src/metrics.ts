import type { StateCounts } from './processing/messages.js';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, in a registry of its own (several services can share a process in tests). */
export class Metrics {
  readonly registry = new Registry();
  readonly eventsIn = new Counter({ name: 'cepheus_events_in_total', help: 'Events appended to the log', registers: [this.registry] });
  readonly rejects = new Counter({ name: 'cepheus_rejects_total', help: 'Input lines rejected (stored in the rejects table)', registers: [this.registry] });
  readonly throttled = new Counter({ name: 'cepheus_throttled_total', help: 'Batches answered 429 because processing lagged', registers: [this.registry] });
  readonly deploys = new Counter({ name: 'cepheus_rule_deploys_total', help: 'Rule versions deployed', registers: [this.registry] });
  readonly outputs = new Counter({ name: 'cepheus_outputs_total', help: 'Outputs added to the outbox, per rule', labelNames: ['rule'], registers: [this.registry] });
  readonly late = new Counter({ name: 'cepheus_late_total', help: 'Late events (stored in the late table)', registers: [this.registry] });

  constructor(probe: {
    lag: () => number;
    /** Keys with state and partial matches per rule (from the processing thread). */
    counts: () => Promise<StateCounts>;
    watermark: () => number;
    checkpoint: () => { size: number; keys: number; ms: number } | undefined;
  }) {
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = read();
          this.set(Number.isFinite(v) ? v : 0);
        },
      });
    gauge('cepheus_lag_entries', 'Log entries not yet processed', probe.lag);
    new Gauge({
      name: 'cepheus_keys',
      help: 'Keys with state (partial matches, windows) over all rules',
      registers: [this.registry],
      async collect() {
        let n = 0;
        for (const k of (await probe.counts()).keys.values()) n += k;
        this.set(n);
      },
    });
    gauge('cepheus_checkpoint_bytes', 'Size of the last checkpoint written (characters of JSON)', () => probe.checkpoint()?.size ?? 0);
    gauge('cepheus_checkpoint_keys', 'Keys whose state the last checkpoint wrote or removed (those changed since the one before)', () => probe.checkpoint()?.keys ?? 0);
    gauge('cepheus_checkpoint_ms', 'Time taken by the last checkpoint written', () => probe.checkpoint()?.ms ?? 0);
    gauge('cepheus_watermark_ms', 'The event-time watermark of processing', probe.watermark);
    const perRule = (name: string, help: string, read: (c: StateCounts) => Map<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['rule'],
        registers: [this.registry],
        async collect() {
          const counts = read(await probe.counts());
          this.reset();
          for (const [rule, n] of counts) this.set({ rule }, n);
        },
      });
    perRule('cepheus_rule_keys', 'Keys with state (partial matches, windows) per rule', (c) => c.keys);
    perRule('cepheus_rule_partial_matches', "Partial matches per rule: runs that have started (a REPEAT rule's windows)", (c) => c.partialMatches);
  }
}
