/**
 * Browser end to end: an explorer signs in to the demo host (another origin), asks the assistant
 * beside the dashboard a question, and sees an answer and a chart with their own tenant's totals
 * (checked against direct SQL). Another tenant's canary appears nowhere on the page or network.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { CANARIES, startEmbedStack, type EmbedStack } from '../e2e/embed-stack.js';
import { recordResponses } from '../helpers/page-responses.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts/screenshots');
let stack: EmbedStack;
let browser: LaunchedBrowser;

beforeAll(async () => {
  stack = await startEmbedStack({ orders: 5_000 });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

interface Answer {
  answer: string;
  query: { dimensions: string[] };
  data: { rows: Array<{ region: string; revenue: number }>; meta: { totals?: { revenue: number } } };
}

describe('assistant in the demo host', () => {
  it("answers an explorer's question with a chart and their own tenant's totals", async () => {
    const page = await browser.newPage();
    const recorder = await recordResponses(page);
    await page.addInitScript(() => {
      const w = window as unknown as { __answers: unknown[]; __errors: unknown[] };
      w.__answers = [];
      w.__errors = [];
      document.addEventListener('tc-answer', (e) => w.__answers.push((e as CustomEvent<{ result: unknown }>).detail.result), true);
      document.addEventListener('tc-error', (e) => w.__errors.push((e as CustomEvent).detail), true);
    });
    await page.goto(stack.host.url);
    // Bob is an explorer of globex in finance: finance sees every department of its tenant.
    await page.click('button[value="bob"]');
    await page.waitForURL('**/dashboard');

    const input = page.locator('tc-ai-assistant textarea');
    await input.waitFor({ timeout: 60_000 });
    await input.fill('revenue by region');
    await page.locator('tc-ai-assistant button.send').click();
    await page.waitForFunction(() => (window as unknown as { __answers: unknown[] }).__answers.length > 0, null, { timeout: 60_000 });
    const answer = (await page.evaluate(() => (window as unknown as { __answers: unknown[] }).__answers[0])) as Answer;
    expect(await page.evaluate(() => (window as unknown as { __errors: unknown[] }).__errors)).toEqual([]);

    const oracle = await stack.sql<{ region: string; revenue: number }>("SELECT region, sum(amount)::DOUBLE AS revenue FROM orders WHERE customer_id = 'globex' GROUP BY region");
    const total = oracle.reduce((sum, r) => sum + r.revenue, 0);
    expect(answer.query.dimensions).toEqual(['region']);
    expect(answer.data.rows).toHaveLength(oracle.length);
    for (const row of oracle) expect(answer.data.rows.find((r) => r.region === row.region)?.revenue).toBeCloseTo(row.revenue, 2);
    expect(answer.data.meta.totals?.revenue).toBeCloseTo(total, 2);

    // What the user sees: the streamed answer naming the total, and a drawn chart.
    const text = page.locator('tc-ai-assistant p.answer');
    await expect.poll(() => text.textContent()).toContain(new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(answer.data.meta.totals!.revenue));
    await page.locator('tc-ai-assistant tc-chart canvas').waitFor({ timeout: 30_000 });
    await page.locator('tc-ai-assistant button', { hasText: 'Show the query' }).click();
    expect(await page.locator('tc-ai-assistant pre').textContent()).toContain('"dataset": "orders"');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.locator('tc-ai-assistant').screenshot({ path: join(SCREENSHOTS, 'assistant-bob.png') });

    const responses = await recorder.settled();
    // Not vacuous: the streamed answer, with its rows, is among the recorded bodies.
    const answerStream = responses.find((r) => r.url.endsWith('/v1/assistant/messages') && r.method === 'POST');
    expect(answerStream?.body).toContain(oracle[0]!.region);
    const everything = responses.map((r) => r.body).join('\n') + (await page.content());
    expect(everything).not.toContain(CANARIES.initech);
    await page.close();
  });
});
