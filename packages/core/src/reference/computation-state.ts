import type { DeweyNumber } from '../nfa/dewey-number.js';
import { compareStarts } from '../nfa/event-order.js';
import type { State } from '../nfa/state.js';
import type { BufferNode, EventEntry } from './shared-buffer.js';

/** One run of the NFA: where it is, its last buffer node and version (Flink's ComputationState). */
export interface ComputationState<E> {
  readonly state: State<E>;
  readonly version: DeweyNumber;
  readonly entry: BufferNode<E> | null;
  /** Time of the run's first event, -1 for the start state. */
  readonly startTs: number;
  /** Time of the run's latest event, -1 for the start state. */
  readonly prevTs: number;
  readonly startEvent: EventEntry<E> | null;
}

export function startComputation<E>(state: State<E>, version: DeweyNumber): ComputationState<E> {
  return { state, version, entry: null, startTs: -1, prevTs: -1, startEvent: null };
}

/** Runs that started earlier come first; runs that have not started (start states) last. */
export function compareComputations(a: ComputationState<any>, b: ComputationState<any>): number {
  return compareStarts(a.startEvent, b.startEvent);
}
