/**
 * `@cepheus/core/reference`: Flink's NFA with its shared buffer (Dewey-versioned edges, reference
 * counts), ported step for step. `compile` never picks it: the chain and path runtimes give the
 * same results with less work, and differential tests and the conformance cases hold them to it.
 * It is an entry of its own so that a browser bundle of the main entry does not carry it.
 */
export { NFA, NFAState, type NFAObserver, type RunView } from './nfa.js';
export { snapshotNFAState, restoreNFAState, type NFAStateSnapshot } from './snapshot.js';
