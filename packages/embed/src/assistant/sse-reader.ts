import type { AssistantStreamEvent } from './assistant-types.js';

/**
 * Read a `text/event-stream` body event by event. Only the four events of the assistant
 * contract are passed on; anything else is ignored.
 *
 * @example
 * for await (const e of readEvents(response.body!)) if (e.event === 'answer') append(e.data.delta);
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<AssistantStreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    buffer += decoder.decode(value, { stream: !done });
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.replace(/^data: ?/, ''))
        .join('\n');
      if (event === 'status' || event === 'answer' || event === 'result' || event === 'error') {
        yield { event, data: JSON.parse(data) } as AssistantStreamEvent;
      }
      boundary = buffer.indexOf('\n\n');
    }
    if (done) return;
  }
}
