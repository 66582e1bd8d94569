/**
 * The LLM planner with the built-in planner behind it. When the model endpoint refuses the
 * connection, fails with a server error or does not answer within `llm.timeoutMs`, the question
 * is answered by the built-in planner and the answer says so; with the fallback turned off, the
 * user is told the assistant is unavailable. A model that answers badly is NOT a fallback case:
 * that stays the LLM planner's business (repair round, then a clarifying question).
 */
import type { AnswerInput, PlanInput, PlanResult, Planner } from './planner.js';
import { PlannerUnavailable } from './llm/planner-unavailable.js';

const NOTICE: Record<PlannerUnavailable['reason'], string> = {
  timeout: 'The language model did not answer in time, so this answer comes from the built-in planner.',
  unreachable: 'The language model could not be reached, so this answer comes from the built-in planner.',
};

/**
 * @example
 * ```ts
 * const planner = new FallbackPlanner(new LlmPlanner(options), new BuiltinPlanner(), true);
 * const result = await planner.plan(input); // result.fallback is set when the built-in planner answered
 * ```
 */
export class FallbackPlanner implements Planner {
  readonly name = 'llm' as const;

  constructor(
    private readonly primary: Planner,
    private readonly fallback: Planner,
    private readonly enabled: boolean,
  ) {}

  async plan(input: PlanInput): Promise<PlanResult> {
    try {
      return await this.primary.plan(input);
    } catch (error) {
      if (!(error instanceof PlannerUnavailable)) throw error;
      if (!this.enabled) {
        return { kind: 'clarify', question: 'The assistant cannot reach its language model right now. Please try again in a moment.' };
      }
      const result = await this.fallback.plan(input);
      return { ...result, fallback: { planner: 'builtin', reason: error.reason, notice: NOTICE[error.reason] } };
    }
  }

  async writeAnswer(input: AnswerInput): Promise<string | undefined> {
    return this.primary.writeAnswer?.(input);
  }
}
