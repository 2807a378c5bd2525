// Calibration: a hand-written single-purpose W2 loop (per user, each recipient's latest position
// in a 10-minute window), over the same in-memory events as the W2 benchmark. The W2 benchmark
// runs it too, alternating with the engine, and reports the ratio.
// `node bench/baselines/w2-hand-loop.mjs`

const W = 600000;

/** One pass of the hand loop over `events`: the number of matches. */
export function w2HandLoop(events) {
  const users = new Map();
  let matches = 0;
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
  return matches;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { w2 } = await import('../../../shared/bench/gen.mjs');
  const events = [...w2()];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const matches = w2HandLoop(events);
    console.log(`W2 hand loop: ${(events.length / (performance.now() - t0) / 1000).toFixed(2)} M events/s, ${matches} matches`);
  }
}
