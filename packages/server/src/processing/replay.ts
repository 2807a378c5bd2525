import { RuleEngine, type CompiledRule, type StandardEvent } from '@cepheus/rules';
import { storedEvents, type Storage } from '../storage/storage.js';

export interface ReplayResult {
  /** Events of the range the rule was run over. */
  readonly events: number;
  readonly outputs: StandardEvent[];
  readonly late: number;
}

/**
 * Runs one rule over the stored events whose event_time is in [from, to), in log order, from a
 * fresh state, and returns its outputs (emitted nowhere). The range ends as an input file does:
 * every window closes. Only input events are read: a rule that reads another rule's output sees
 * none of it.
 */
export function replay(storage: Storage, rule: CompiledRule, from: number, to: number, outOfOrdernessMs: number, maxEvents: number): ReplayResult {
  const outputs: StandardEvent[] = [];
  let late = 0;
  let events = 0;
  const engine = new RuleEngine({ rules: [rule], outOfOrdernessMs, onOutput: (e) => outputs.push(e), onLate: () => void late++ });
  for (const { event: e } of storedEvents<StandardEvent>(storage)) {
    if (e.event_time < from || e.event_time >= to) continue;
    if (++events > maxEvents) throw new RangeError(`the range holds more than ${maxEvents} events: give a shorter one`);
    engine.push(e);
  }
  engine.flush();
  return { events, outputs, late };
}
