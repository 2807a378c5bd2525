/** A min-heap of (time, target) timers; stale timers are filtered by the caller when they fire. */
export class TimerQueue<T> {
  private times: number[] = [];
  private targets: T[] = [];

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest timer, Infinity when none. */
  peekTime(): number {
    return this.times.length > 0 ? this.times[0] : Infinity;
  }

  add(time: number, target: T): void {
    const times = this.times;
    const targets = this.targets;
    let k = times.length;
    times.push(time);
    targets.push(target);
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      if (times[parent] <= time) break;
      times[k] = times[parent];
      targets[k] = targets[parent];
      k = parent;
    }
    times[k] = time;
    targets[k] = target;
  }

  /** Removes and returns the earliest timer's target. */
  poll(): T {
    const times = this.times;
    const targets = this.targets;
    const result = targets[0];
    const lastTime = times.pop()!;
    const lastTarget = targets.pop()!;
    const n = times.length;
    if (n > 0) {
      let k = 0;
      const half = n >>> 1;
      while (k < half) {
        let child = 2 * k + 1;
        if (child + 1 < n && times[child + 1] < times[child]) child++;
        if (lastTime <= times[child]) break;
        times[k] = times[child];
        targets[k] = targets[child];
        k = child;
      }
      times[k] = lastTime;
      targets[k] = lastTarget;
    }
    return result;
  }

  clear(): void {
    this.times = [];
    this.targets = [];
  }
}
