import { CepRuntimeError, MalformedPatternError } from '../../pattern/errors.js';
import { compareEvents, type EventMark } from '../event-order.js';

export type SkipKind = 'NO_SKIP' | 'SKIP_TO_NEXT' | 'SKIP_PAST_LAST_EVENT' | 'SKIP_TO_FIRST' | 'SKIP_TO_LAST';

/** An extracted match: pattern name -> its events' marks (shared-buffer entries, path nodes), in pattern order. */
export type MatchEntries<M extends EventMark = EventMark> = Map<string, M[]>;

/**
 * What happens to other partial matches once a match is emitted (Flink's AfterMatchSkipStrategy).
 * Every partial match that started at or before the "pruning event" is discarded.
 */
export class AfterMatchSkipStrategy {
  private constructor(
    readonly kind: SkipKind,
    readonly patternName: string | undefined = undefined,
    readonly throwOnMiss = false,
  ) {}

  /** Every possible match is emitted. */
  static noSkip(): AfterMatchSkipStrategy {
    return NO_SKIP;
  }
  /** Discards partial matches that started with the same event as the emitted match. */
  static skipToNext(): AfterMatchSkipStrategy {
    return new AfterMatchSkipStrategy('SKIP_TO_NEXT');
  }
  /** Discards every partial match that contains an event of the emitted match. */
  static skipPastLastEvent(): AfterMatchSkipStrategy {
    return new AfterMatchSkipStrategy('SKIP_PAST_LAST_EVENT');
  }
  /** Discards partial matches that started before the first event taken for `name`. */
  static skipToFirst(name: string): AfterMatchSkipStrategy {
    return new AfterMatchSkipStrategy('SKIP_TO_FIRST', requireName(name));
  }
  /** Discards partial matches that started before the last event taken for `name`. */
  static skipToLast(name: string): AfterMatchSkipStrategy {
    return new AfterMatchSkipStrategy('SKIP_TO_LAST', requireName(name));
  }

  /** For skipToFirst/skipToLast: fail at run time when the match has no event for the name. */
  throwExceptionOnMiss(): AfterMatchSkipStrategy {
    if (this.patternName === undefined) {
      throw new MalformedPatternError(`throwExceptionOnMiss() applies only to skipToFirst/skipToLast, not ${this.kind}`);
    }
    return new AfterMatchSkipStrategy(this.kind, this.patternName, true);
  }

  /** False for noSkip: then matches are emitted as soon as they complete. */
  isSkipStrategy(): boolean {
    return this.kind !== 'NO_SKIP';
  }

  /** The event at or before which partial matches are pruned, or undefined for none. */
  pruningEvent<M extends EventMark>(match: MatchEntries<M>): M | undefined {
    switch (this.kind) {
      case 'NO_SKIP':
        return undefined;
      case 'SKIP_PAST_LAST_EVENT': {
        let max: M | undefined;
        for (const list of match.values()) for (const e of list) if (!max || compareEvents(e, max) > 0) max = e;
        return max;
      }
      case 'SKIP_TO_NEXT': {
        let min: M | undefined;
        for (const list of match.values()) if (!min || compareEvents(list[0], min) < 0) min = list[0];
        return min;
      }
      default:
        return this.skipToElement(match);
    }
  }

  /** Whether a (partial) match starting at `start` is discarded by `pruning`. */
  shouldPrune(start: EventMark, pruning: EventMark): boolean {
    const c = compareEvents(start, pruning);
    // skipToFirst/Last keep the match that starts at the pruning event itself
    return this.kind === 'SKIP_TO_FIRST' || this.kind === 'SKIP_TO_LAST' ? c < 0 : c <= 0;
  }

  private skipToElement<M extends EventMark>(match: MatchEntries<M>): M | undefined {
    const name = this.patternName!;
    const events = match.get(name);
    let pruning: M | undefined;
    if (!events || events.length === 0) {
      if (this.throwOnMiss) {
        throw new CepRuntimeError(`Could not skip to ${name}. No such element in the found match ${describe(match)}`);
      }
    } else {
      pruning = this.kind === 'SKIP_TO_FIRST' ? events[0] : events[events.length - 1];
    }
    if (this.throwOnMiss && pruning) {
      let start: M | undefined;
      for (const list of match.values()) for (const e of list) if (!start || compareEvents(e, start) < 0) start = e;
      if (start === pruning) throw new CepRuntimeError('Could not skip to first element of a match.');
    }
    return pruning;
  }

  toString(): string {
    return this.patternName === undefined ? this.kind : `${this.kind}(${this.patternName})`;
  }
}

const NO_SKIP = new (AfterMatchSkipStrategy as any)('NO_SKIP') as AfterMatchSkipStrategy;

function requireName(name: string): string {
  if (typeof name !== 'string' || name === '') throw new MalformedPatternError('The skip strategy needs a pattern name');
  return name;
}

function describe(match: MatchEntries): string {
  const parts = [...match].map(([k, v]) => `${k}=[${v.map((e) => `${e.timestamp}:${e.id}`).join(', ')}]`);
  return `{${parts.join(', ')}}`;
}
