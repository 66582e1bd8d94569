import { describe, expect, it } from 'vitest';
import { streamOf } from './text-stream.test-helper.js';
import { readJsonLines } from './ndjson-reader.js';

async function collect(chunks: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of readJsonLines(streamOf(chunks))) out.push(line);
  return out;
}

describe('readJsonLines', () => {
  it('yields one value per line, whatever the chunk boundaries', async () => {
    expect(await collect(['{"chart":"a","n":1}\n{"ch', 'art":"b"', ',"n":2}\n'])).toEqual([{ chart: 'a', n: 1 }, { chart: 'b', n: 2 }]);
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const bytes = new TextEncoder().encode('{"v":"€"}\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    const out: unknown[] = [];
    for await (const line of readJsonLines(stream)) out.push(line);
    expect(out).toEqual([{ v: '€' }]);
  });

  it('skips blank lines and reads a last line without a newline', async () => {
    expect(await collect(['\n{"a":1}\n\n', '{"a":2}'])).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('throws on a line that is not JSON', async () => {
    await expect(collect(['{"a":1}\nnot json\n'])).rejects.toThrow(SyntaxError);
  });
});
