import fc from 'fast-check';
import type { Match } from './packages/core/src/index.ts';
import { PathNFA, type PathState } from './packages/core/src/internal.ts';
import { NFA, type NFAState } from './packages/core/src/reference/index.ts';

// An array's maxLength is what a property test means to explore: without this, fast-check's default
// size ('small') stops every array at about 10 elements, whatever maxLength says.
fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });

/**
 * Flink's semantics make a branching pattern's partial matches exponential in its events
 * (allowCombinations, followedByAny), so a random pattern and input can hold millions of runs
 * and take hours, synchronously, where no test timeout reaches. Property tests discard such an
 * input (fc.pre) once one key's state of the branching runtimes holds more than RUN_BUDGET runs;
 * the runtimes themselves are unchanged. Outside a property, exceeding it fails the test.
 */
const RUN_BUDGET = 20_000;

function guard<S>(proto: { process(s: S, out?: Match<unknown>[]): Match<unknown>[] }, runs: (s: S) => number): void {
  const process = proto.process;
  proto.process = function (this: unknown, s: S, out?: Match<unknown>[]) {
    const result = process.call(this, s, out);
    if (runs(s) > RUN_BUDGET) fc.pre(false);
    return result;
  };
}

guard(PathNFA.prototype as never, (s: PathState<unknown>) => s.runs.length + (s.completed?.length ?? 0));
guard(NFA.prototype as never, (s: NFAState<unknown>) => s.partial.length + (s.completed?.length ?? 0));
