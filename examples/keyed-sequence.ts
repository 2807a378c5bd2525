/**
 * The bundled example: "this user viewed an item, added it to the cart, and paid within 10 minutes",
 * over a small stream of page events that arrive slightly out of order. Run: npm run demo
 */
import { AfterMatchSkipStrategy, CepOperator, field, Pattern } from '../packages/core/src/index.ts';

type PageEvent = { user: string; action: 'view' | 'cart' | 'pay' | 'leave'; item: string; ts: number };

const MINUTE = 60_000;
const purchase = Pattern.begin<PageEvent>('view', AfterMatchSkipStrategy.skipPastLastEvent())
  .where(field('action').eq('view'))
  .followedBy('cart')
  .where(field('action').eq('cart'))
  // iterative: it reads the partial match, so it is evaluated for each run
  .where((e, ctx) => [...ctx.getEventsForPattern('view')].some((v) => v.item === e.item))
  .followedBy('pay')
  .where({ action: 'pay' })
  .within(10 * MINUTE);

const events: PageEvent[] = [
  { user: 'ana', action: 'view', item: 'lamp', ts: 0 },
  { user: 'bo', action: 'view', item: 'desk', ts: 1_000 },
  { user: 'ana', action: 'cart', item: 'lamp', ts: 30_000 },
  { user: 'bo', action: 'leave', item: 'desk', ts: 20_000 }, // arrives late, within the allowed disorder
  { user: 'ana', action: 'pay', item: 'lamp', ts: 2 * MINUTE },
  { user: 'bo', action: 'cart', item: 'desk', ts: 3 * MINUTE },
  { user: 'bo', action: 'pay', item: 'desk', ts: 12 * MINUTE }, // too late: bo's window closed
];

const op = new CepOperator<PageEvent, string>({
  patterns: { purchase },
  key: (e) => e.user,
  timestamp: (e) => e.ts,
  outOfOrdernessMs: 30_000,
  onMatch: ({ key, match }) => console.log(`purchase by ${key}: ${[...match].map(([step, evs]) => `${step}@${evs[0].ts / 1000}s`).join(' -> ')}`),
  onTimeout: ({ key, match, timestamp }) => console.log(`no purchase by ${key} (window closed at ${timestamp / 1000}s after ${[...match.keys()].join(', ')})`),
  onLate: (e) => console.log(`late event ignored: ${JSON.stringify(e)}`),
});
for (const e of events) op.processElement(e);
op.flush();
console.log(`${op.stats.events} events, ${op.stats.matches} matches, ${op.stats.timeouts} timeouts, ${op.stats.lateEvents} late`);
