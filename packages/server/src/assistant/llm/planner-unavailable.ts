/**
 * The model endpoint could not give an answer at all: it refused the connection, returned a
 * server error, or did not answer within `llm.timeoutMs`. Distinct from a bad answer (which gets
 * a repair round) so that the fallback planner can take over instead.
 */
import { APICallError } from 'ai';

export type UnavailableReason = 'timeout' | 'unreachable';

export class PlannerUnavailable extends Error {
  constructor(readonly reason: UnavailableReason) {
    super(reason === 'timeout' ? 'the model endpoint did not answer in time' : 'the model endpoint could not be reached');
    this.name = 'PlannerUnavailable';
  }
}

/**
 * Classifies an error thrown by a model call. `timeout` is the planner's own timeout signal: a
 * route disconnect is not classified here (the caller rethrows it, nobody is waiting).
 *
 * @returns the reason the endpoint is unavailable, or undefined when it answered (badly).
 */
export function unavailableReason(error: unknown, timeout: AbortSignal): UnavailableReason | undefined {
  if (timeout.aborted) return 'timeout';
  if (APICallError.isInstance(error)) {
    // No status: the connection failed. 5xx and 429: the endpoint is up but cannot serve.
    if (error.statusCode === undefined || error.statusCode >= 500 || error.statusCode === 429) return 'unreachable';
    return undefined;
  }
  if (error instanceof TypeError) return 'unreachable';
  return undefined;
}
