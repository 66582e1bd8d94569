import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PerchContext } from '../context.js';
import { auditRefusal, auditSuccess } from '../http/audit-context.js';
import { errorBody, toPerchError } from '../http/errors.js';
import { jsonSchema } from '../http/openapi.js';
import { clientDisconnectSignal } from '../query/client-signal.js';
import { AssistantRequestSchema, type AnsweredQuestion, type AssistantService } from './assistant-service.js';

/** Split an answer into word-sized deltas for the `answer` event stream. */
function deltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function sse(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * `POST /v1/assistant/messages`: a question in, an answer, the semantic query, the data, a chart
 * and the applied restriction out. With `Accept: text/event-stream` the same result streams as
 * `status`, `answer` (text deltas), `result` (the final JSON) or `error` events.
 *
 * Every refusal that can be decided up front (scope, body, limits, conversation ownership) is a
 * plain JSON 4xx before any stream starts. The `assistant.question` event is durable before any
 * answer text or data is written.
 */
/** Documentation of the path parameter; the service looks the id up among the caller's own conversations. */
const ConversationParams = z.strictObject({ id: z.string().min(1).max(64) });

export function registerAssistantRoutes(app: FastifyInstance, ctx: PerchContext, assistant: AssistantService): void {
  const record = (request: FastifyRequest, answered: AnsweredQuestion) =>
    auditSuccess(ctx.audit, request, { resource: answered.audit.resource, details: answered.audit.details, attributes: { ...request.embed!.claims.user.attributes } });

  app.post(
    '/v1/assistant/messages',
    {
      config: { audit: 'assistant.question' },
      schema: {
        summary: 'Ask the assistant a question',
        description: 'Needs an embed token with the assistant scope and the explorer role or above. Send `Accept: text/event-stream` to stream.',
        tags: ['assistant'],
        body: jsonSchema(AssistantRequestSchema),
      },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const prepared = await assistant.prepare(claims, request.body);
      // Every answer calls the model, so the signal is made up front.
      const signal = clientDisconnectSignal(reply)();
      const streaming = (request.headers.accept ?? '').includes('text/event-stream');
      if (!streaming) {
        const answered = await assistant.answer(prepared, { signal, requestId: request.id });
        await record(request, answered);
        return reply.send(answered.response);
      }

      // Headers set so far (CORS, security headers, request id) go out with the stream.
      const headers: Record<string, string | number | string[]> = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
      reply.hijack();
      reply.raw.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-request-id': request.id });
      try {
        const answered = await assistant.answer(prepared, { signal, requestId: request.id, onStatus: (status) => sse(reply, 'status', { status }) });
        await record(request, answered);
        for (const delta of deltas(answered.response.answer)) sse(reply, 'answer', { delta });
        sse(reply, 'result', answered.response);
      } catch (error) {
        const perchError = toPerchError(error);
        if (!request.audited) await auditRefusal(ctx.audit, request, perchError.code).catch((e: unknown) => request.log.error({ err: e }, 'audit of a refusal failed'));
        if (perchError.status >= 500) request.log.error({ err: error, code: perchError.code }, 'assistant stream failed');
        sse(reply, 'error', errorBody(perchError, request.id).error);
      }
      reply.raw.end();
      return reply;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/assistant/conversations/:id',
    { config: { audit: 'assistant.conversation' }, schema: { summary: "One of the caller's assistant conversations", tags: ['assistant'], params: jsonSchema(ConversationParams) } },
    async (request, reply) => {
      const conversation = await assistant.conversation(request.embed!.claims, request.params.id);
      await auditSuccess(ctx.audit, request, { resource: `conversation:${conversation.conversationId}`, details: { turns: conversation.turns.length } });
      return reply.send(conversation);
    },
  );
}
