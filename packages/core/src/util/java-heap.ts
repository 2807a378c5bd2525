/**
 * Binary-heap operations on plain arrays that behave exactly like java.util.PriorityQueue (sift
 * order, array-order iteration, bulk removal followed by heapify). Flink CEP iterates its partial
 * matches in this heap's array order, so reproducing it makes match order identical to Flink's.
 * Plain arrays (no wrapper object) keep a key's state compact: the per-event path is memory bound.
 */
export type Comparator<T> = (a: T, b: T) => number;

export function heapAdd<T>(es: T[], x: T, cmp: Comparator<T>): void {
  let k = es.length;
  es.push(x);
  while (k > 0) {
    const parent = (k - 1) >>> 1;
    const e = es[parent];
    if (cmp(x, e) >= 0) break;
    es[k] = e;
    k = parent;
  }
  es[k] = x;
}

export function heapPoll<T>(es: T[], cmp: Comparator<T>): T | undefined {
  if (es.length === 0) return undefined;
  const result = es[0];
  const last = es.pop()!;
  if (es.length > 0) siftDown(es, 0, last, es.length, cmp);
  return result;
}

/** Removes every element for which `drop` holds (Java's removeIf/removeAll: compact, then heapify). */
export function heapRemoveIf<T>(es: T[], drop: (x: T) => boolean, cmp: Comparator<T>): boolean {
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
  for (let k = (w >>> 1) - 1; k >= 0; k--) siftDown(es, k, es[k], w, cmp);
  return true;
}

function siftDown<T>(es: T[], k: number, x: T, n: number, cmp: Comparator<T>): void {
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
