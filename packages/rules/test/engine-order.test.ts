import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, RuleEngine, type StandardEvent } from '../src/index.ts';

const RULES = `RULENAME "seq"
a: A
b: B
EVENT a -> b
WITHIN 5 SECONDS

RULENAME "abandoned"
a: A
b: B
EVENT a -> !b
WITHIN 3 SECONDS

RULENAME "twice"
x: abandoned
y: abandoned
EVENT x -> y
WITHIN 1 MINUTE

RULENAME "burst"
c: C
EVENT c
REPEAT 3+ SAME c.user_id
WITHIN 4 SECONDS`;

/** Events in time order (often equal times), two users. */
const inputs = fc
  .array(fc.record({ code: fc.constantFrom('A', 'B', 'C', 'D'), user: fc.constantFrom('u1', 'u2'), gap: fc.integer({ min: 0, max: 2500 }) }), { maxLength: 60 })
  .map((xs) => {
    let t = 0;
    return xs.map((x): StandardEvent => ({ event_code: x.code, event_time: (t += x.gap < 500 ? 0 : x.gap), user_id: x.user, extra_info: {} }));
  });

const ev = (code: string, t: number): StandardEvent => ({ event_code: code, event_time: t, user_id: 'u1', extra_info: {} });

function outputs(events: StandardEvent[], outOfOrdernessMs: number): string[] {
  const out: string[] = [];
  const engine = new RuleEngine({
    rules: compileRules(RULES),
    outOfOrdernessMs,
    onOutput: (e, rule) => out.push(`${rule} ${e.user_id} @${e.event_time}`),
    onLate: (e) => out.push(`late ${e.event_code}`),
  });
  for (const e of events) engine.push(e);
  engine.flush();
  return out;
}

describe('RuleEngine without disorder', () => {
  it('processes each event at once and gives what buffering it until the next one gives', () => {
    // a bound far below 1 ms buffers every event until a later time arrives, as Flink's watermark does
    fc.assert(
      fc.property(inputs, (events) => {
        expect(outputs(events, 0)).toEqual(outputs(events, 1e-6));
      }),
      {
        numRuns: Number(process.env.PROPERTY_RUNS ?? 300),
        examples: [
          // found at 3,800 runs: B@3001, released from the buffer, reached "seq" before the window
          // of "abandoned" that closed at 3000 was reported
          [[ev('A', 0), ev('A', 1200), ev('B', 3001)]],
          // found at 4,800 runs: "abandoned" closing windows at 3000 and 3500 in one watermark jump
          // reported both before "twice" saw the first
          [[ev('A', 0), ev('A', 0), ev('A', 500), ev('A', 1741), ev('A', 3501)]],
        ],
      },
    );
  });
});
