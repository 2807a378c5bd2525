/**
 * How W1's throughput depends on the number of live keys: W1's input and pattern with users folded
 * into 1,000, 10,000 and 100,000 ids (windows scaled so each user sees the same dynamics).
 * `npx tsx bench/w1-key-count.ts`
 */
import { CepOperator, Pattern } from '../packages/core/src/index.ts';
import { w1 } from './inputs.ts';

type Ev = { user: number; code: string; ts: number };
const CODES = 'ABCDEFGHIJ';
const n = 5_000_000;
for (const users of [1000, 10000, 100000]) {
  const ids = new Int32Array(n);
  const codes = new Uint8Array(n);
  let i = 0;
  for (const e of w1()) {
    ids[i] = e.user % users;
    codes[i++] = CODES.indexOf(e.code);
  }
  for (let r = 0; r < 3; r++) {
    let matches = 0;
    const pattern = Pattern.begin<Ev>('a')
      .where((e) => e.code === 'A')
      .followedBy('b')
      .where((e) => e.code === 'B')
      .followedBy('c')
      .where((e) => e.code === 'C')
      .within((600000 * users) / 100000);
    const op = new CepOperator<Ev, number>({ patterns: { w: pattern }, key: (e) => e.user, timestamp: (e) => e.ts, outOfOrdernessMs: 0, onMatch: () => matches++ });
    const t0 = performance.now();
    for (let k = 0; k < n; k++) op.processElement({ user: ids[k], code: CODES[codes[k]], ts: k });
    op.flush();
    console.log(`${users} users: ${(n / (performance.now() - t0) / 1000).toFixed(2)} M events/s, ${matches} matches`);
  }
}
