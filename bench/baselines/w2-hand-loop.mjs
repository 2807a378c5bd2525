// Calibration: a hand-written single-purpose W2 loop (per user, each recipient's latest position
// in a 10-minute window), over the same in-memory events as the W2 benchmark.
// `node bench/baselines/w2-hand-loop.mjs`
import { w2 } from '../../../shared/bench/gen.mjs';
const events = [...w2()];
const W = 600000;
for (let r = 0; r < 5; r++) {
  const users = new Map();
  let matches = 0;
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    let w = users.get(e.user_id);
    if (w === undefined) users.set(e.user_id, (w = { evs: [], times: [], head: 0, latest: new Map(), added: 0, removed: 0 }));
    const ts = e.event_time;
    while (w.head < w.times.length && w.times[w.head] <= ts - W) {
      const v = w.evs[w.head++].extra_info.to_user;
      if (w.latest.get(v) === w.removed++) w.latest.delete(v);
    }
    w.evs.push(e);
    w.times.push(ts);
    w.latest.set(e.extra_info.to_user, w.added++);
    if (w.times.length - w.head >= 100 && w.latest.size > 100) {
      matches++;
      users.delete(e.user_id);
    }
  }
  console.log(`W2 hand loop: ${(events.length / (performance.now() - t0) / 1000).toFixed(2)} M events/s, ${matches} matches`);
}
