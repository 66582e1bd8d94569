import { describe, expect, it } from 'vitest';
import { streamOf } from '../client/text-stream.test-helper.js';
import { readEvents } from './sse-reader.js';
import { suggestedQuestions } from './suggestions.js';

describe('readEvents', () => {
  it('reassembles events split across chunks and ignores unknown events', async () => {
    const body = streamOf(['event: status\ndata: {"status":"plan', 'ning"}\n\nevent: answer\ndata: {"delta":"Hi "}\n\nevent: ping\ndata: {}\n\n', 'event: result\ndata: {"answer":"Hi "}\n\n']);
    const events = [];
    for await (const event of readEvents(body)) events.push(event);
    expect(events).toEqual([
      { event: 'status', data: { status: 'planning' } },
      { event: 'answer', data: { delta: 'Hi ' } },
      { event: 'result', data: { answer: 'Hi ' } },
    ]);
  });
});

describe('suggestedQuestions', () => {
  it('builds starter questions from catalog names only', () => {
    const catalog = {
      datasets: [
        {
          name: 'orders',
          title: 'Orders',
          members: [
            { name: 'region', kind: 'dimension' as const, type: 'string', title: 'Region' },
            { name: 'channel', kind: 'dimension' as const, type: 'string', title: 'Sales channel' },
            { name: 'ordered_at', kind: 'dimension' as const, type: 'time', title: 'Order date' },
            { name: 'revenue', kind: 'measure' as const, type: 'number', title: 'Revenue' },
            { name: 'orders', kind: 'measure' as const, type: 'number', title: 'Orders' },
          ],
        },
      ],
    };
    expect(suggestedQuestions(catalog)).toEqual(['Revenue by region last quarter', 'Orders by month', 'Which sales channel has the most revenue?', 'Revenue this year vs last year']);
  });
});
