/**
 * Flink's window rule, written once for the runtimes: a window of `windowMs` (0: none) opened at
 * `since` closes at since + windowMs, and a run is dropped once time reaches that (Flink: current
 * time - since >= window). Deadlines and expiry both go through closesAt, so a timer set for a
 * deadline always finds its run expired, even where since + windowMs rounds to since (times near
 * Number.MAX_VALUE).
 */
export function closesAt(since: number, windowMs: number): number {
  return windowMs > 0 ? since + windowMs : Infinity;
}

/** Whether the window opened at `since` has closed by `now`. */
export function hasClosed(now: number, since: number, windowMs: number): boolean {
  return now >= closesAt(since, windowMs);
}
