/**
 * The LLM planner when its endpoint cannot answer: the configured timeout applies even when the
 * route passes its own disconnect signal, and the built-in planner answers instead (saying so),
 * unless the fallback is turned off. A client disconnect is not a fallback: it ends the work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmPlanner } from '../../src/assistant/llm/llm-planner.js';
import { PlannerUnavailable } from '../../src/assistant/llm/planner-unavailable.js';
import { BuiltinPlanner } from '../../src/assistant/builtin/builtin-planner.js';
import { createPlanner } from '../../src/assistant/create-planner.js';
import { NOW, demoCatalog, visibleValueLookup } from './planner-fixtures.js';
import { refusingEndpointUrl, startStallingEndpoint, type StallingEndpoint } from './unavailable-endpoints.js';
import { ask, mintAssistantToken, openAssistantWarehouse, startAssistantPerch, type AssistantWarehouse } from './fixture.js';

let stalling: StallingEndpoint;
let refusing: string;
beforeAll(async () => {
  stalling = await startStallingEndpoint();
  refusing = await refusingEndpointUrl();
});
afterAll(() => stalling.close());

const llmConfig = (baseUrl: string, fallbackToBuiltin = true) => ({
  planner: 'llm' as const,
  llm: { baseUrl, model: 'stalled', shareRowData: false, timeoutMs: 1_000, fallbackToBuiltin },
  maxQuestionChars: 2_000,
  maxTurns: 50,
  ratePerMinute: 30,
});

async function planWith(planner: { plan: LlmPlanner['plan'] }, question: string, signal?: AbortSignal) {
  return planner.plan({ question, catalog: await demoCatalog(), lookupValues: visibleValueLookup().lookupValues, now: NOW, ...(signal ? { signal } : {}) });
}

describe('LLM planner timeout', () => {
  it('applies llm.timeoutMs even when the route passes a disconnect signal that never fires', async () => {
    const planner = new LlmPlanner({ baseUrl: stalling.baseUrl, model: 'stalled', apiKey: undefined, shareRowData: false, maxLimit: 1000, timeoutMs: 1_000 });
    const before = stalling.received();
    const routeSignal = new AbortController().signal;
    const error = await planWith(planner, 'revenue by region', routeSignal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlannerUnavailable);
    expect((error as PlannerUnavailable).reason).toBe('timeout');
    // The request reached the endpoint once: an unanswered endpoint gets no repair round.
    expect(stalling.received() - before).toBe(1);
  });

  it('reports a refused connection as unreachable', async () => {
    const planner = new LlmPlanner({ baseUrl: refusing, model: 'm', apiKey: undefined, shareRowData: false, maxLimit: 1000, timeoutMs: 5_000 });
    const error = await planWith(planner, 'revenue by region').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlannerUnavailable);
    expect((error as PlannerUnavailable).reason).toBe('unreachable');
  });

  it('ends on a client disconnect without falling back', async () => {
    const planner = createPlanner(llmConfig(stalling.baseUrl), 1000, {});
    const route = new AbortController();
    const pending = planWith(planner, 'revenue by region', route.signal);
    route.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
  });
});

describe('fallback to the built-in planner', () => {
  it('answers a stalled endpoint with the built-in planner and says why', async () => {
    const result = await planWith(createPlanner(llmConfig(stalling.baseUrl), 1000, {}), 'revenue by region last quarter');
    const builtin = await planWith(new BuiltinPlanner(), 'revenue by region last quarter');
    expect(result.kind).toBe('query');
    expect(result).toMatchObject({ fallback: { planner: 'builtin', reason: 'timeout' } });
    expect(result.fallback?.notice).toMatch(/did not answer in time.*built-in planner/);
    expect(result.kind === 'query' && builtin.kind === 'query' && result.query).toEqual(builtin.kind === 'query' ? builtin.query : null);
  });

  it('answers a refusing endpoint with the built-in planner and says why', async () => {
    const result = await planWith(createPlanner(llmConfig(refusing), 1000, {}), 'orders by channel');
    expect(result).toMatchObject({ kind: 'query', query: { measures: ['orders'], dimensions: ['channel'] }, fallback: { reason: 'unreachable' } });
    expect(result.fallback?.notice).toMatch(/could not be reached/);
  });

  it('with fallbackToBuiltin off, tells the user the assistant is unavailable and runs nothing', async () => {
    const result = await planWith(createPlanner(llmConfig(refusing, false), 1000, {}), 'orders by channel');
    expect(result.kind).toBe('clarify');
    expect(result.kind === 'clarify' && result.question).toMatch(/cannot reach its language model/);
    expect(result.fallback).toBeUndefined();
  });
});

describe('fallback through the route', () => {
  let warehouse: AssistantWarehouse;
  beforeAll(async () => {
    warehouse = await openAssistantWarehouse(1_000);
  }, 60_000);
  afterAll(() => warehouse.close());

  it('the answer starts with the notice, the data is the asker’s, and the audit names the built-in planner', async () => {
    const perch = await startAssistantPerch('embedded', warehouse, { planner: createPlanner(llmConfig(stalling.baseUrl), 1000, {}) });
    try {
      const token = await mintAssistantToken(perch, { distinctId: 'ada' });
      const response = await ask(perch, token, { question: 'revenue by region' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.answer).toMatch(/^The language model did not answer in time, so this answer comes from the built-in planner\. /);
      expect(body.query).toMatchObject({ measures: ['revenue'], dimensions: ['region'] });
      const event = perch.audit.byRequest(response.headers['x-request-id'] as string).find((e) => e.action === 'assistant.question');
      expect(event?.details).toMatchObject({ planner: 'builtin', outcome: 'answered' });
    } finally {
      await perch.close();
    }
  }, 30_000);
});
