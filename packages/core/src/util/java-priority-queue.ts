/**
 * A binary heap that behaves exactly like java.util.PriorityQueue (sift order, array-order
 * iteration, bulk removal followed by heapify). Flink CEP iterates its partial matches in this
 * heap's array order, so reproducing it is what makes match order identical to Flink's.
 */
export class JavaPriorityQueue<T> {
  /** Heap array; iterate it directly for Java's iteration order. */
  items: T[] = [];

  constructor(private readonly cmp: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  add(x: T): void {
    const es = this.items;
    es.push(x);
    this.siftUp(es.length - 1, x);
  }

  poll(): T | undefined {
    const es = this.items;
    if (es.length === 0) return undefined;
    const result = es[0];
    const last = es.pop()!;
    if (es.length > 0) this.siftDown(0, last, es.length);
    return result;
  }

  /** Removes every element for which `drop` holds (Java's removeIf/removeAll). */
  removeIf(drop: (x: T) => boolean): boolean {
    const es = this.items;
    const end = es.length;
    let i = 0;
    while (i < end && !drop(es[i])) i++;
    if (i >= end) return false;
    const dead = new Uint8Array(end);
    dead[i] = 1;
    for (let j = i + 1; j < end; j++) if (drop(es[j])) dead[j] = 1;
    let w = i;
    for (let j = i; j < end; j++) if (!dead[j]) es[w++] = es[j];
    es.length = w;
    for (let k = (w >>> 1) - 1; k >= 0; k--) this.siftDown(k, es[k], w);
    return true;
  }

  clear(): void {
    this.items.length = 0;
  }

  private siftUp(k: number, x: T): void {
    const es = this.items;
    const cmp = this.cmp;
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      const e = es[parent];
      if (cmp(x, e) >= 0) break;
      es[k] = e;
      k = parent;
    }
    es[k] = x;
  }

  private siftDown(k: number, x: T, n: number): void {
    const es = this.items;
    const cmp = this.cmp;
    const half = n >>> 1;
    while (k < half) {
      let child = (k << 1) + 1;
      let c = es[child];
      const right = child + 1;
      if (right < n && cmp(c, es[right]) > 0) c = es[(child = right)];
      if (cmp(x, c) <= 0) break;
      es[k] = c;
      k = child;
    }
    es[k] = x;
  }
}
