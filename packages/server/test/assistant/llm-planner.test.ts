/**
 * The LLM planner against a scripted OpenAI-compatible server on loopback. The scripted model
 * misbehaves in every way the planner must survive: raw SQL, members outside the catalog, a
 * filter for another tenant, a dataset outside the scope, injected member names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmPlanner } from '../../src/assistant/llm/llm-planner.js';
import { substituteFacts } from '../../src/assistant/answer.js';
import { NOW, demoCatalog, visibleValueLookup } from './planner-fixtures.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from './scripted-openai.js';

let llm: ScriptedOpenAi;
let planner: LlmPlanner;
beforeAll(async () => {
  llm = await startScriptedOpenAi();
  planner = new LlmPlanner({ baseUrl: llm.baseUrl, model: 'scripted', apiKey: 'sk-test', shareRowData: false, maxLimit: 1000 });
});
afterAll(() => llm.close());

const VALID = { dataset: 'orders', measures: ['revenue'], dimensions: ['region'], order: [{ member: 'revenue', direction: 'desc' }] };

async function plan(question = 'revenue by region') {
  const lookup = visibleValueLookup();
  return { result: await planner.plan({ question, catalog: await demoCatalog(), lookupValues: lookup.lookupValues, now: NOW }), lookups: lookup.lookups };
}

function lastUserMessage(index: number): string {
  const messages = llm.requests[index]?.messages as Array<{ role: string; content: unknown }>;
  return JSON.stringify(messages[messages.length - 1]?.content);
}

describe('LLM planner over a scripted chat-completions server', () => {
  it('turns a valid run_query tool call into a checked semantic query', async () => {
    llm.script([{ toolCall: { name: 'run_query', arguments: VALID } }]);
    const { result } = await plan();
    expect(result).toMatchObject({ kind: 'query', query: { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] } });
    expect(llm.requests).toHaveLength(1);
    // The tools offered are generated from this user's catalog: hidden members are not named.
    const tools = JSON.stringify(llm.requests[0]!.tools);
    expect(tools).toContain('"revenue"');
    expect(tools).not.toContain('"margin"');
    expect(llm.requests[0]!.tool_choice).toBe('required');
  });

  it('refuses raw SQL in plain text, repairs once, and accepts the repaired call', async () => {
    llm.script([{ text: 'SELECT * FROM orders' }, { toolCall: { name: 'run_query', arguments: VALID } }]);
    const { result } = await plan();
    expect(result.kind).toBe('query');
    expect(llm.requests).toHaveLength(2);
    expect(lastUserMessage(1)).toContain('refused');
  });

  it('refuses members outside the catalog, then asks a clarifying question when the repair fails too', async () => {
    const hidden = { dataset: 'orders', measures: ['margin'], dimensions: ['region'] };
    llm.script([{ toolCall: { name: 'run_query', arguments: hidden } }, { toolCall: { name: 'run_query', arguments: { ...hidden, measures: ['secret_sauce'] } } }]);
    const { result } = await plan('margin by region');
    expect(result.kind).toBe('clarify');
    expect(llm.requests).toHaveLength(2);
    expect(lastUserMessage(1)).toContain('margin');
  });

  it("refuses a filter for another tenant's value without revealing whether it exists", async () => {
    const otherTenant = { ...VALID, filters: [{ member: 'customer_id', operator: 'equals', values: ['globex'] }] };
    llm.script([{ toolCall: { name: 'run_query', arguments: otherTenant } }], { toolCall: { name: 'run_query', arguments: otherTenant } });
    const { result, lookups } = await plan('revenue for globex');
    expect(result.kind).toBe('clarify');
    // The value was looked up through the RLS-filtered path, which knows nothing of globex.
    expect(lookups).toContainEqual({ dataset: 'orders', member: 'customer_id', search: 'globex' });
    expect(lastUserMessage(1)).toContain('not one of the values available');
  });

  it('refuses a dataset outside the scope and tools that do not exist', async () => {
    llm.script([{ toolCall: { name: 'run_query', arguments: { dataset: 'audit_events', measures: ['count'] } } }, { toolCall: { name: 'execute_sql', arguments: { sql: 'DROP TABLE orders' } } }]);
    const { result } = await plan();
    expect(result.kind).toBe('clarify');
    expect(llm.requests).toHaveLength(2);
  });

  it('refuses injected member names and unparseable arguments', async () => {
    llm.script([
      { toolCall: { name: 'run_query', arguments: { dataset: 'orders', measures: ['revenue); DROP TABLE orders; --'] } } },
      { rawArguments: { name: 'run_query', text: '{"dataset": "orders", "measures": ["revenue"' } },
    ]);
    const { result } = await plan();
    expect(result.kind).toBe('clarify');
  });

  it('passes a clarification through', async () => {
    llm.script([{ toolCall: { name: 'ask_clarification', arguments: { question: 'Revenue or orders?', options: ['Revenue', 'Orders'] } } }]);
    const { result } = await plan('how are we doing');
    expect(result).toEqual({ kind: 'clarify', question: 'Revenue or orders?', options: ['Revenue', 'Orders'] });
  });

  it('words answers with placeholders only: invented numbers are discarded, no row data is sent', async () => {
    const canaryRows = [{ region: 'CANARY_ROW_VALUE', revenue: 4242.42 }];
    const base = { question: 'revenue by region', query: { ...VALID, filters: [], order: [], dimensions: ['region'] } as never, explanation: 'Revenue by Region', facts: [{ key: 'total', label: 'total Revenue' }], rows: canaryRows };
    llm.script([{ text: 'Total revenue was {{total}}.' }, { text: 'Total revenue was 99999.' }]);
    const worded = await planner.writeAnswer(base);
    expect(substituteFacts(worded!, new Map([['total', '1,234.5']]))).toBe('Total revenue was 1,234.5.');
    expect(await planner.writeAnswer(base)).toBeUndefined();
    expect(JSON.stringify(llm.requests)).not.toContain('CANARY_ROW_VALUE');
  });

  it('sends rows, and accepts numbers in the wording, only when the workspace allows sharing row data', async () => {
    const sharing = new LlmPlanner({ baseUrl: llm.baseUrl, model: 'scripted', apiKey: 'sk-test', shareRowData: true, maxLimit: 1000 });
    const input = { question: 'revenue by region', query: VALID as never, explanation: 'Revenue by Region', facts: [], rows: [{ region: 'EMEA', revenue: 4242.42 }] };
    llm.script([{ text: 'EMEA leads with 4242.42.' }]);
    expect(await sharing.writeAnswer(input)).toBe('EMEA leads with 4242.42.');
    expect(JSON.stringify(llm.requests)).toContain('4242.42');
  });
});
