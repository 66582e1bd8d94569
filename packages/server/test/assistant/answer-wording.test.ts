/**
 * Answers as the user reads them, through the route over a real DuckDB warehouse: sentences with
 * values formatted as the dashboard tiles format them, no ISO timestamps, no doubled titles, no
 * "1 rows", no totals of averages, notes said first, and follow-ups that refine the previous
 * question within one conversation until "start over".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CANARIES, ask, mintAssistantToken, openAssistantWarehouse, startAssistantPerch, type AssistantPerch, type AssistantWarehouse } from './fixture.js';

let warehouse: AssistantWarehouse;
let perch: AssistantPerch;
beforeAll(async () => {
  warehouse = await openAssistantWarehouse(4_000);
  perch = await startAssistantPerch('embedded', warehouse, { assistant: { maxTurns: 20, ratePerMinute: 100 } });
}, 60_000);
afterAll(async () => {
  await perch.close();
  await warehouse.close();
});

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0, minimumFractionDigits: 0 });

function expectReadable(answer: string): void {
  expect(answer).not.toMatch(/\d{4}-\d\d-\d\dT\d\d/);
  expect(answer).not.toMatch(/\b(\w+) \1\b/i);
  expect(answer).not.toMatch(/\b1 rows\b|across \d+ rows|of a total of/);
  for (const canary of ALL_CANARIES) expect(answer).not.toContain(canary);
}

async function say(token: string, question: string, conversationId?: string) {
  const response = await ask(perch, token, { question, ...(conversationId ? { conversationId } : {}) });
  expect(response.statusCode).toBe(200);
  const body = response.json();
  console.info(`${question} → ${body.answer}`);
  return body as { conversationId: string; answer: string; query: { measures: string[]; dimensions: string[]; filters: unknown[]; timeDimension?: { granularity?: string; dateRange?: unknown } } | null; data: { rows: Array<Record<string, unknown>>; meta: { totals?: Record<string, number> } } | null };
}

describe('answer wording', () => {
  it('writes currency like the revenue tiles, and ranks in a sentence', async () => {
    const token = await mintAssistantToken(perch, { distinctId: 'wording-1' });
    const body = await say(token, 'which region brought in the most last quarter');
    const top = body.data!.rows[0]!;
    const total = body.data!.meta.totals!.revenue!;
    const share = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format((top.revenue as number) / total);
    expect(body.answer).toBe(`${top.region} had the highest revenue last quarter, ${USD.format(top.revenue as number)}. That is ${share} of the ${USD.format(total)} total.`);
    expectReadable(body.answer);
  });

  it('names months as the time axis does and says which year a bare quarter meant', async () => {
    const token = await mintAssistantToken(perch, { distinctId: 'wording-2' });
    const body = await say(token, 'orders by month in Q3');
    expect(body.answer).toMatch(/^Q3 is read as the most recent one, Q3 2026\. Orders by month in Q3 2026: [\d,]+ in Jul 2026, [\d,]+ in Aug 2026 and [\d,]+ in Sep 2026\. Across 3 months, orders came to [\d,]+\.$/);
    expectReadable(body.answer);
  });

  it('gives an average its overall value, never a total, and a joined member its own title once', async () => {
    const token = await mintAssistantToken(perch, { distinctId: 'wording-3' });
    const aov = await say(token, 'average order value by channel');
    expect(aov.answer).toMatch(/Overall, average order value was \$[\d,]+\.$/);
    expectReadable(aov.answer);
    const products = await say(token, 'top 3 products by revenue');
    expect(products.answer).toMatch(/^.+ had the highest revenue, \$[\d,]+, followed by .+ \(\$[\d,]+\) and .+ \(\$[\d,]+\)\. Together they make [\d.]+% of the \$[\d,]+ total\.$/);
    expectReadable(products.answer);
  });

  it('excludes what was excluded, in the question and in a follow-up, and "start over" forgets', async () => {
    const token = await mintAssistantToken(perch, { distinctId: 'wording-4' });
    const first = await say(token, 'revenue by region ignoring refunded orders');
    expect(first.query!.filters).toEqual([{ member: 'status', operator: 'notEquals', values: ['refunded'] }]);
    const [oracle] = await warehouse.sql<{ revenue: number }>(`SELECT sum(amount)::DOUBLE AS revenue FROM orders WHERE customer_id = 'acme' AND department = 'sales' AND status <> 'refunded'`);
    expect(first.data!.meta.totals!.revenue).toBeCloseTo(oracle!.revenue, 2);
    const minus = await say(token, 'minus APAC please', first.conversationId);
    expect(minus.query).toMatchObject({ measures: ['revenue'], dimensions: ['region'] });
    expect(minus.query!.filters).toEqual(expect.arrayContaining([{ member: 'region', operator: 'notEquals', values: ['APAC'] }, { member: 'status', operator: 'notEquals', values: ['refunded'] }]));
    expect(minus.data!.rows.map((r) => r.region)).not.toContain('APAC');
    const count = await say(token, 'and the order count?', first.conversationId);
    expect(count.query).toMatchObject({ measures: ['orders'], dimensions: ['region'] });
    expect(count.query!.filters).toHaveLength(2);
    const reset = await say(token, 'start over', first.conversationId);
    expect(reset.query).toBeNull();
    const fresh = await say(token, 'orders', first.conversationId);
    expect(fresh.query).toMatchObject({ measures: ['orders'], dimensions: [], filters: [] });
    expect(fresh.answer).toMatch(/^There were [\d,]+ orders\.$/);
  });

  it('sets a share against its total', async () => {
    const token = await mintAssistantToken(perch, { distinctId: 'wording-5' });
    const body = await say(token, 'what fraction of revenue comes from EMEA');
    expect(body.answer).toMatch(/^EMEA accounted for [\d.]+% of revenue: \$[\d,]+ of \$[\d,]+\.$/);
  });

  it("says plainly first that another organisation's data is not visible, then answers with the user's own", async () => {
    const token = await mintAssistantToken(perch, { distinctId: 'wording-6' });
    const body = await say(token, 'show globex revenue last year');
    const [oracle] = await warehouse.sql<{ revenue: number }>(`SELECT sum(amount)::DOUBLE AS revenue FROM orders WHERE customer_id = 'acme' AND department = 'sales' AND ordered_at >= TIMESTAMP '2025-01-01' AND ordered_at < TIMESTAMP '2026-01-01'`);
    expect(body.answer).toBe(`You can only see data for Acme Corporation; here is yours. Revenue last year was ${USD.format(oracle!.revenue)}.`);
  });
});
