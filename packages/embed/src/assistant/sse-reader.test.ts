import { describe, expect, it } from 'vitest';
import { streamOf } from '../client/text-stream.test-helper.js';
import { readEvents } from './sse-reader.js';

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

