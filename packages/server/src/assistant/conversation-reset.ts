/**
 * "Start over", "reset", "new question": a conversation's turns before such a question no longer
 * count as context, for any planner.
 */
import type { PlannerTurn } from './planner.js';

/** Opening words that reset the conversation's context. */
export const START_OVER = /^\s*(?:let'?s\s+)?(?:start(?:ing)?\s+(?:over|again|afresh|fresh)|reset|new (?:question|topic|conversation)|forget (?:that|it|everything|all that)|clear(?: the)? (?:context|conversation))\b[\s,.:;!-]*/i;

/**
 * @example
 * ```ts
 * sinceReset([{ question: 'revenue by region' }, { question: 'start over' }, { question: 'orders' }]) // the last two turns
 * ```
 */
export function sinceReset<T extends PlannerTurn>(history: readonly T[]): readonly T[] {
  for (let i = history.length - 1; i >= 0; i--) if (START_OVER.test(history[i]!.question)) return history.slice(i);
  return history;
}
