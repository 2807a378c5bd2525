import type { ConditionNode } from '../pattern/conditions.js';

/**
 * The most states or stages whose occupancy the runtimes keep as bits of one 31-bit mask (the
 * path runtime's occupied states and the decision graph's no-op masks; the chain runtime's stages
 * from this one on share the last bit).
 */
export const MASK_BITS = 30;

export type StateType = 'Start' | 'Normal' | 'Final' | 'Pending' | 'Stop';

/** TAKE consumes the event, IGNORE skips it, PROCEED moves on without consuming (epsilon). */
export type TransitionAction = 'TAKE' | 'IGNORE' | 'PROCEED';

export interface Transition<E> {
  readonly action: TransitionAction;
  readonly source: State<E>;
  readonly target: State<E>;
  /** null: always taken. */
  condition: ConditionNode<E> | null;
}

/** A state of the compiled NFA (Flink's State). Internal names are unique; `patternName` is the user's name. */
export class State<E> {
  readonly transitions: Transition<E>[] = [];
  /** Window between the previous and current event, for states of a PREVIOUS_AND_CURRENT or loop window. */
  windowMs: number | undefined = undefined;
  /** Position in the compiled NFA's state list. */
  index = -1;

  constructor(
    readonly name: string,
    public type: StateType,
    readonly patternName: string,
  ) {}

  get isStart(): boolean {
    return this.type === 'Start';
  }
  get isFinal(): boolean {
    return this.type === 'Final';
  }
  get isStop(): boolean {
    return this.type === 'Stop';
  }
  get isPending(): boolean {
    return this.type === 'Pending';
  }

  makeStart(): void {
    this.type = 'Start';
  }

  addTransition(action: TransitionAction, target: State<E>, condition: ConditionNode<E> | null): void {
    this.transitions.push({ action, source: this, target, condition });
  }
  addTake(target: State<E>, condition: ConditionNode<E>): void {
    this.addTransition('TAKE', target, condition);
  }
  addSelfTake(condition: ConditionNode<E>): void {
    this.addTransition('TAKE', this, condition);
  }
  addIgnore(target: State<E>, condition: ConditionNode<E>): void {
    this.addTransition('IGNORE', target, condition);
  }
  addSelfIgnore(condition: ConditionNode<E>): void {
    this.addTransition('IGNORE', this, condition);
  }
  addProceed(target: State<E>, condition: ConditionNode<E>): void {
    this.addTransition('PROCEED', target, condition);
  }

  toString(): string {
    const ts = this.transitions.map((t) => `${t.action} -> ${t.target.name}`).join(', ');
    return `${this.type} ${this.name} [${ts}]`;
  }
}
