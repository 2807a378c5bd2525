/**
 * A min-heap of timers ordered by (time, tie); stale timers are filtered by the caller when they
 * fire. The tie-breaker makes the firing order canonical, so a restored operator fires in the same order.
 */
export class TimerQueue<T> {
  private times: number[] = [];
  private ties: number[] = [];
  private targets: T[] = [];

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest timer, Infinity when none. */
  peekTime(): number {
    return this.times.length > 0 ? this.times[0] : Infinity;
  }

  add(time: number, tie: number, target: T): void {
    const times = this.times;
    const ties = this.ties;
    const targets = this.targets;
    let k = times.length;
    times.push(time);
    ties.push(tie);
    targets.push(target);
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      if (times[parent] < time || (times[parent] === time && ties[parent] <= tie)) break;
      times[k] = times[parent];
      ties[k] = ties[parent];
      targets[k] = targets[parent];
      k = parent;
    }
    times[k] = time;
    ties[k] = tie;
    targets[k] = target;
  }

  /** Removes and returns the earliest timer's target. */
  poll(): T {
    const times = this.times;
    const ties = this.ties;
    const targets = this.targets;
    const result = targets[0];
    const lastTime = times.pop()!;
    const lastTie = ties.pop()!;
    const lastTarget = targets.pop()!;
    const n = times.length;
    if (n > 0) {
      let k = 0;
      const half = n >>> 1;
      while (k < half) {
        let child = 2 * k + 1;
        const r = child + 1;
        if (r < n && (times[r] < times[child] || (times[r] === times[child] && ties[r] < ties[child]))) child = r;
        if (!(times[child] < lastTime || (times[child] === lastTime && ties[child] < lastTie))) break;
        times[k] = times[child];
        ties[k] = ties[child];
        targets[k] = targets[child];
        k = child;
      }
      times[k] = lastTime;
      ties[k] = lastTie;
      targets[k] = lastTarget;
    }
    return result;
  }

  clear(): void {
    this.times = [];
    this.ties = [];
    this.targets = [];
  }
}
