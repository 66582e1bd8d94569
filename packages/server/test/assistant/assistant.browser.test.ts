/**
 * Browser end to end: an explorer signs in to the demo host (another origin), asks the assistant
 * beside the dashboard a question, and sees an answer and a chart with their own tenant's totals
 * (checked against direct SQL). Another tenant's canary appears nowhere on the page or network.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { CANARIES, startEmbedStack, type EmbedStack } from '../e2e/embed-stack.js';
import { recordResponses } from '../helpers/page-responses.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts/screenshots');
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0, minimumFractionDigits: 0 });
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

/** The demo host's sign-in as Bob, from a signed-out browser (earlier tests leave a session cookie). */
async function signInAsBob(page: Page): Promise<void> {
  await browser.context.clearCookies();
  await page.goto(stack.host.url);
  await page.click('button[value="bob"]');
  await page.waitForURL('**/dashboard');
}

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
    await expect.poll(() => text.textContent()).toContain(USD.format(answer.data.meta.totals!.revenue));
    await page.locator('tc-ai-assistant tc-chart canvas').waitFor({ timeout: 30_000 });
    await page.locator('tc-ai-assistant button', { hasText: 'Show the query' }).click();
    expect(await page.locator('tc-ai-assistant pre').textContent()).toContain('"dataset": "orders"');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator('tc-ai-assistant').screenshot({ path: join(SCREENSHOTS, 'assistant-bob.png') });

    const responses = await recorder.settled();
    // Not vacuous: the streamed answer, with its rows, is among the recorded bodies.
    const answerStream = responses.find((r) => r.url.endsWith('/v1/assistant/messages') && r.method === 'POST');
    expect(answerStream?.body).toContain(oracle[0]!.region);
    const everything = responses.map((r) => r.body).join('\n') + (await page.content());
    expect(everything).not.toContain(CANARIES.initech);
    await page.close();
  });

  it('keeps the panel bounded and scrolling, formats answers like the tiles, and starts a new conversation', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    const sent: Array<{ question: string; conversationId?: string }> = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/assistant/messages') && request.method() === 'POST') sent.push(JSON.parse(request.postData() ?? '{}'));
    });
    await page.addInitScript(() => {
      const w = window as unknown as { __answers: unknown[] };
      w.__answers = [];
      document.addEventListener('tc-answer', (e) => w.__answers.push((e as CustomEvent<{ result: unknown }>).detail.result), true);
    });
    await signInAsBob(page);
    const panel = page.locator('tc-ai-assistant tc-ai-assistant-panel');
    await page.locator('tc-ai-assistant textarea').waitFor({ timeout: 60_000 });
    expect(await page.locator('tc-ai-assistant h2').textContent()).toBe('Ask about your data');
    // Suggestions come from the dashboard in scope (its chart titles) and the catalog.
    await page.locator('tc-ai-assistant .suggestions button').first().waitFor();
    const suggestions = await page.locator('tc-ai-assistant .suggestions button').allTextContents();
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.some((s) => /by month this year|vs last year/.test(s))).toBe(true);

    const answers = () => page.evaluate(() => (window as unknown as { __answers: Array<{ conversationId: string; answer: string }> }).__answers);
    const askAndWait = async (question: string) => {
      const before = (await answers()).length;
      await page.locator('tc-ai-assistant textarea').fill(question);
      await page.locator('tc-ai-assistant button.send').click();
      await page.waitForFunction((n) => (window as unknown as { __answers: unknown[] }).__answers.length > n, before, { timeout: 60_000 });
      await page.locator('tc-ai-assistant button.send:not([disabled])').waitFor();
    };

    // A formatted answer: currency as on the revenue tile, titles (not member names) in the table.
    await askAndWait('revenue by region');
    const first = (await answers())[0]!;
    expect(first.answer).toMatch(/\$[\d,]+/);
    expect(first.answer).not.toMatch(/\d{4}-\d\d-\d\dT/);
    await page.locator('tc-ai-assistant details summary').first().click();
    const headers = await page.locator('tc-ai-assistant details th').allTextContents();
    expect(headers).toEqual(['Region', 'Revenue']);
    const cells = await page.locator('tc-ai-assistant details td.num').allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell).toMatch(/^\$[\d,]+$/);

    // Scrolling: more answers than fit, the panel keeps its height and the newest answer is in view.
    for (const question of ['orders by month this year', 'and by channel?', 'top 3 products by revenue', 'revenue this year vs last year']) await askAndWait(question);
    const box = await panel.boundingBox();
    expect(box!.height).toBeLessThanOrEqual(561);
    const scroll = () => page.locator('tc-ai-assistant .messages').evaluate((m) => ({ height: m.scrollHeight, client: m.clientHeight, gap: m.scrollHeight - m.scrollTop - m.clientHeight }));
    expect((await scroll()).height).toBeGreaterThan((await scroll()).client);
    // The newest answer is in view: the message area is scrolled to its end.
    await expect.poll(async () => (await scroll()).gap).toBeLessThanOrEqual(2);
    expect(new Set((await answers()).map((a) => a.conversationId)).size).toBe(1);
    // The follow-up kept the measure of the question before it.
    expect(sent.find((r) => r.question === 'and by channel?')?.conversationId).toBe(first.conversationId);

    await panel.screenshot({ path: join(SCREENSHOTS, 'assistant-scrolled-1440.png') });

    // New conversation: the messages are gone, suggestions are back, the next question starts afresh.
    await page.locator('tc-ai-assistant button.new').click();
    expect(await page.locator('tc-ai-assistant .turn').count()).toBe(0);
    expect(await page.locator('tc-ai-assistant .suggestions button').count()).toBeGreaterThan(0);
    await askAndWait('and by channel?');
    expect(sent[sent.length - 1]).toEqual({ question: 'and by channel?' });
    const fresh = (await answers()).at(-1)!;
    expect(fresh.conversationId).not.toBe(first.conversationId);
    await page.close();
  });

  it('looks right at desktop and phone sizes, light and dark, empty, loading, answered and failed', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [name, viewport] of [['1440', { width: 1440, height: 900 }], ['390', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await browser.newPage();
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await signInAsBob(page);
        const element = page.locator('tc-ai-assistant');
        await page.locator('tc-ai-assistant textarea').waitFor({ timeout: 60_000 });
        await page.locator('tc-ai-assistant .suggestions button').first().waitFor();
        await element.scrollIntoViewIfNeeded();
        await element.screenshot({ path: join(SCREENSHOTS, `assistant-empty-${name}-${scheme}.png`) });

        // Loading: the answer is held back until the screenshot is taken.
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route('**/v1/assistant/messages', async (route) => {
          await held;
          await route.continue();
        });
        await page.locator('tc-ai-assistant textarea').fill('revenue by region last quarter');
        await page.locator('tc-ai-assistant button.send').click();
        await page.locator('tc-ai-assistant p.status').waitFor();
        await element.screenshot({ path: join(SCREENSHOTS, `assistant-loading-${name}-${scheme}.png`) });
        release();
        await page.locator('tc-ai-assistant tc-chart canvas').waitFor({ timeout: 30_000 });
        await page.locator('tc-ai-assistant button.send:not([disabled])').waitFor();
        await page.unroute('**/v1/assistant/messages');
        await element.screenshot({ path: join(SCREENSHOTS, `assistant-answer-${name}-${scheme}.png`) });

        // Asked back: options to pick from.
        await page.locator('tc-ai-assistant textarea').fill('revenue per account manager');
        await page.locator('tc-ai-assistant button.send').click();
        await page.locator('tc-ai-assistant .options button').first().waitFor({ timeout: 30_000 });
        await element.screenshot({ path: join(SCREENSHOTS, `assistant-clarify-${name}-${scheme}.png`) });

        // Failed: the service answers with an error.
        await page.route('**/v1/assistant/messages', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'datasource_unavailable', message: 'The data source is unavailable right now.' } }) }));
        await page.locator('tc-ai-assistant textarea').fill('orders by month');
        await page.locator('tc-ai-assistant button.send').click();
        await page.locator('tc-ai-assistant p.error').waitFor({ timeout: 30_000 });
        await element.screenshot({ path: join(SCREENSHOTS, `assistant-error-${name}-${scheme}.png`) });
        expect(await page.locator('tc-ai-assistant p.error').textContent()).toContain('unavailable');
        await page.close();
      }
    }
  });
});
