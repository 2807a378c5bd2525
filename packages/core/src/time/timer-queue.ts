/**
 * Timers ordered by (time, tie); stale timers are filtered by the caller when they fire. The
 * tie-breaker makes the firing order canonical, so a restored operator fires in the same order.
 *
 * Timers usually arrive in order (a window deadline is "event time + window"), so in-order timers
 * go to a FIFO (sequential memory, O(1)) and only out-of-order ones to a binary heap; poll takes
 * the smaller head of the two.
 */
export class TimerQueue<T> {
  private fifoTimes: number[] = [];
  private fifoTies: number[] = [];
  private fifoTargets: T[] = [];
  private fifoHead = 0;
  private heap = new TimerHeap<T>();
  /** The tie of the timer `poll` returned last. */
  polledTie = 0;

  get size(): number {
    return this.fifoTimes.length - this.fifoHead + this.heap.size;
  }

  /** Time of the earliest timer, Infinity when none. */
  peekTime(): number {
    const f = this.fifoHead < this.fifoTimes.length ? this.fifoTimes[this.fifoHead] : Infinity;
    const h = this.heap.peekTime();
    return Math.min(f, h);
  }

  add(time: number, tie: number, target: T): void {
    const n = this.fifoTimes.length;
    if (n === this.fifoHead || this.fifoTimes[n - 1] < time || (this.fifoTimes[n - 1] === time && this.fifoTies[n - 1] <= tie)) {
      this.fifoTimes.push(time);
      this.fifoTies.push(tie);
      this.fifoTargets.push(target);
    } else {
      this.heap.add(time, tie, target);
    }
  }

  /** Removes and returns the earliest timer's target (the queue must not be empty). */
  poll(): T {
    const i = this.fifoHead;
    if (i < this.fifoTimes.length && (this.heap.size === 0 || !this.heap.before(this.fifoTimes[i], this.fifoTies[i]))) {
      const target = this.fifoTargets[i];
      this.polledTie = this.fifoTies[i];
      this.fifoTargets[i] = undefined as T;
      this.fifoHead = i + 1;
      if (this.fifoHead === this.fifoTimes.length) this.clearFifo();
      else if (this.fifoHead > 4096 && this.fifoHead > this.fifoTimes.length >>> 1) this.compactFifo();
      return target;
    }
    this.polledTie = this.heap.peekTie();
    return this.heap.poll();
  }

  private clearFifo(): void {
    this.fifoTimes.length = 0;
    this.fifoTies.length = 0;
    this.fifoTargets.length = 0;
    this.fifoHead = 0;
  }

  private compactFifo(): void {
    const h = this.fifoHead;
    this.fifoTimes = this.fifoTimes.slice(h);
    this.fifoTies = this.fifoTies.slice(h);
    this.fifoTargets = this.fifoTargets.slice(h);
    this.fifoHead = 0;
  }
}

/** A binary min-heap of (time, tie, target) in parallel arrays. */
class TimerHeap<T> {
  private times: number[] = [];
  private ties: number[] = [];
  private targets: T[] = [];

  get size(): number {
    return this.times.length;
  }

  peekTime(): number {
    return this.times.length > 0 ? this.times[0] : Infinity;
  }

  peekTie(): number {
    return this.ties[0];
  }

  /** Whether the heap's head comes before (time, tie). */
  before(time: number, tie: number): boolean {
    return this.times[0] < time || (this.times[0] === time && this.ties[0] < tie);
  }

  add(time: number, tie: number, target: T): void {
    const { times, ties } = this;
    let k = times.length;
    this.push(time, tie, target);
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      if (times[parent] < time || (times[parent] === time && ties[parent] <= tie)) break;
      this.move(parent, k);
      k = parent;
    }
    this.put(k, time, tie, target);
  }

  poll(): T {
    const { times, ties, targets } = this;
    const result = targets[0];
    const lastTime = times.pop()!;
    const lastTie = ties.pop()!;
    const lastTarget = targets.pop()!;
    const n = times.length;
    if (n === 0) return result;
    let k = 0;
    const half = n >>> 1;
    while (k < half) {
      let child = 2 * k + 1;
      const r = child + 1;
      if (r < n && (times[r] < times[child] || (times[r] === times[child] && ties[r] < ties[child]))) child = r;
      if (!(times[child] < lastTime || (times[child] === lastTime && ties[child] < lastTie))) break;
      this.move(child, k);
      k = child;
    }
    this.put(k, lastTime, lastTie, lastTarget);
    return result;
  }

  private push(time: number, tie: number, target: T): void {
    this.times.push(time);
    this.ties.push(tie);
    this.targets.push(target);
  }

  private move(from: number, to: number): void {
    this.put(to, this.times[from], this.ties[from], this.targets[from]);
  }

  private put(k: number, time: number, tie: number, target: T): void {
    this.times[k] = time;
    this.ties[k] = tie;
    this.targets[k] = target;
  }
}
