/** What orders events: time, then arrival (Flink's EventId); shared-buffer entries and path nodes have it. */
export interface EventMark {
  readonly timestamp: number;
  readonly id: number;
}

/** Orders events by timestamp, then by arrival within a timestamp. */
export function compareEvents(a: EventMark, b: EventMark): number {
  return a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.id - b.id;
}

/** Orders runs by their first event; runs that have none (in the start state) come last. */
export function compareStarts(a: EventMark | null, b: EventMark | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return compareEvents(a, b);
}
