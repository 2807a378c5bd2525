// Calibration: a hand-written single-purpose W1 loop (per-user open partial matches, idle users
// deleted), same input and event creation as the W1 benchmark. `node bench/baselines/w1-hand-loop.mjs`
import { w1 } from '../../../shared/bench/gen.mjs';
const CODES = 'ABCDEFGHIJ';
const n = 5_000_000;
const W = 600000;
const users = new Int32Array(n);
const codes = new Uint8Array(n);
let k = 0;
for (const e of w1()) {
  users[k] = e.user;
  codes[k++] = CODES.indexOf(e.code);
}
for (let r = 0; r < 5; r++) {
  const state = new Map();
  let matches = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const e = { user: users[i], code: CODES[codes[i]], ts: i };
    let s = state.get(e.user);
    if (s === undefined) {
      if (e.code !== 'A') continue;
      state.set(e.user, (s = { as: [], abs: [] }));
    }
    while (s.as.length && e.ts - s.as[0].ts >= W) s.as.shift();
    while (s.abs.length && e.ts - s.abs[0][0].ts >= W) s.abs.shift();
    if (e.code === 'C') {
      matches += s.abs.length;
      s.abs.length = 0;
    } else if (e.code === 'B') {
      for (const a of s.as) s.abs.push([a, e]);
      s.as.length = 0;
    } else if (e.code === 'A') s.as.push(e);
    if (!s.as.length && !s.abs.length) state.delete(e.user);
  }
  console.log(`W1 hand loop: ${(n / (performance.now() - t0) / 1000).toFixed(2)} M events/s, ${matches} matches`);
}
