/**
 * Read an `application/x-ndjson` body line by line, parsing each non-empty line as JSON, so a
 * caller can act on each line as soon as it arrives.
 *
 * @example
 * for await (const line of readJsonLines<TileLine>(response.body!)) show(line);
 */
export async function* readJsonLines<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += decoder.decode(value, { stream: !done });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') yield JSON.parse(line) as T;
        newline = buffer.indexOf('\n');
      }
      if (done) {
        if (buffer.trim() !== '') yield JSON.parse(buffer) as T;
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
