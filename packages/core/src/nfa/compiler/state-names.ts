import { MalformedPatternError } from '../../pattern/errors.js';

/** Separates a pattern name from the counter that makes internal state names unique. */
export const STATE_NAME_DELIM = ':';

/** The pattern name an internal state name was derived from. */
export function originalName(internal: string): string {
  const i = internal.indexOf(STATE_NAME_DELIM);
  return i < 0 ? internal : internal.slice(0, i);
}

/** Hands out unique internal state names (Flink's NFAStateNameHandler). */
export class StateNames {
  private readonly used = new Set<string>();

  checkUnique(name: string): void {
    if (this.used.has(name)) throw new MalformedPatternError(`Duplicate pattern name: ${name}. Names must be unique.`);
    this.used.add(name);
  }

  unique(base: string): string {
    let candidate = base;
    for (let counter = 0; this.used.has(candidate); counter++) candidate = base + STATE_NAME_DELIM + counter;
    this.used.add(candidate);
    return candidate;
  }

  clear(): void {
    this.used.clear();
  }
}
