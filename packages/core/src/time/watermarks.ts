/**
 * Watermarks for events that arrive out of order by at most `maxOutOfOrdernessMs`
 * (Flink's BoundedOutOfOrdernessWatermarks): watermark = max timestamp seen - bound - 1.
 */
export class BoundedOutOfOrderness {
  private maxTs = -Infinity;

  constructor(readonly maxOutOfOrdernessMs: number) {
    if (!(maxOutOfOrdernessMs >= 0)) throw new RangeError(`out-of-orderness must be >= 0 ms, got ${maxOutOfOrdernessMs}`);
  }

  /** Records an event time and returns the current watermark. */
  onEvent(timestamp: number): number {
    if (timestamp > this.maxTs) this.maxTs = timestamp;
    return this.current();
  }

  current(): number {
    return this.maxTs - this.maxOutOfOrdernessMs - 1;
  }
}
