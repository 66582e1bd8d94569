/**
 * A real HTTP server on loopback that speaks the OpenAI chat-completions protocol and answers
 * from a script: each request takes the next scripted reply (a tool call or plain text). Every
 * request body is kept so tests can assert what was (and was not) sent to the model.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedReply = { toolCall: { name: string; arguments: unknown } } | { text: string } | { rawArguments: { name: string; text: string } };
/** A reply, or a function of the request body (e.g. a model that echoes its system prompt). */
export type ScriptStep = ScriptedReply | ((body: Record<string, unknown>) => ScriptedReply);

export interface ScriptedOpenAi {
  baseUrl: string;
  requests: Array<Record<string, unknown>>;
  /** Replies used in order; when empty, every further request gets `fallback`. */
  script(replies: ScriptStep[], fallback?: ScriptStep): void;
  close(): Promise<void>;
}

function completion(reply: ScriptedReply, model: string): Record<string, unknown> {
  const toolCall =
    'toolCall' in reply
      ? { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) }
      : 'rawArguments' in reply
        ? { name: reply.rawArguments.name, arguments: reply.rawArguments.text }
        : undefined;
  const message = toolCall
    ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${Math.random().toString(36).slice(2, 10)}`, type: 'function', function: toolCall }] }
    : { role: 'assistant', content: (reply as { text: string }).text };
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_790_000_000,
    model,
    choices: [{ index: 0, message, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

export async function startScriptedOpenAi(): Promise<ScriptedOpenAi> {
  let queue: ScriptStep[] = [];
  let fallback: ScriptStep = { text: 'I cannot help with that.' };
  const requests: Array<Record<string, unknown>> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      requests.push(body);
      const step = queue.shift() ?? fallback;
      const reply = typeof step === 'function' ? step(body) : step;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(reply, String(body.model))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(replies, next) {
      queue = [...replies];
      if (next) fallback = next;
      requests.length = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
