/**
 * Dewey numbers version the shared-buffer edges of one run (Flink's DeweyNumber).
 * Represented as immutable int arrays: operations return new arrays (or the same one when unchanged).
 */
export type DeweyNumber = readonly number[];

export const deweyStart = (run = 1): DeweyNumber => [run];

/** `v` is compatible with `other` iff `other` is a proper prefix of `v`, or they differ only in a last digit of `v` that is >= `other`'s. */
export function isCompatible(v: DeweyNumber, other: DeweyNumber): boolean {
  const n = v.length;
  const m = other.length;
  if (n > m) {
    for (let i = 0; i < m; i++) if (other[i] !== v[i]) return false;
    return true;
  }
  if (n === m) {
    const last = n - 1;
    for (let i = 0; i < last; i++) if (other[i] !== v[i]) return false;
    return v[last] >= other[last];
  }
  return false;
}

/** Adds `times` to the last digit. */
export function increase(v: DeweyNumber, times = 1): DeweyNumber {
  if (times === 0) return v;
  const copy = v.slice();
  copy[copy.length - 1] += times;
  return copy;
}

/** Appends a new 0 digit. (Built at exact size: versions live as long as their runs and edges.) */
export function addStage(v: DeweyNumber): DeweyNumber {
  switch (v.length) {
    case 1:
      return [v[0], 0];
    case 2:
      return [v[0], v[1], 0];
    case 3:
      return [v[0], v[1], v[2], 0];
    default: {
      const copy = v.slice(); // slice + push: several times faster than concat, which is generic
      copy.push(0);
      return copy;
    }
  }
}
