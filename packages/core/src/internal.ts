/**
 * `@cepheus/core/internal`: the runtimes `compile` picks between and their key states, for tools
 * and tests that look inside them. Not part of the stable API: names and shapes may change.
 */
export { ChainNFA } from './nfa/chain/chain-nfa.js';
export { ChainState } from './nfa/chain/chain-state.js';
export { chainShape, type ChainShape } from './nfa/chain/chain-shape.js';
export type { ChainStateSnapshot } from './nfa/chain/chain-snapshot.js';
export { PathNFA } from './nfa/path/path-nfa.js';
export { PathState, type PathNode, type PathRun } from './nfa/path/path-state.js';
export type { PathStateSnapshot } from './nfa/path/path-snapshot.js';
export { State, type StateType, type Transition } from './nfa/state.js';
