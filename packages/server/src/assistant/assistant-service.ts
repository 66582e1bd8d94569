/**
 * The assistant's path from a question to an answer:
 *   scope + body checks → rate limit → conversation (bound to user and tenant) → planner →
 *   the governed query path (RLS, member rules, limits) → answer text with server-side numbers.
 * Identity, attributes and scope come only from the verified token claims passed in; nothing in
 * the question or the conversation reaches them.
 */
import { z } from 'zod';
import { PerchError, SemanticQuerySchema, parseOrThrow, roleAtLeast, type EmbedTokenClaims, type QueryResult, type SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import type { QueryService } from '../query/query-service.js';
import type { WorkspaceDirectory } from '../auth/workspace-directory.js';
import { tenantOf } from '../dashboards/tenant.js';
import type { Planner, PlannerChart, LookupValues } from './planner.js';
import { ConversationStore, type Conversation, type ConversationOwner } from './conversation-store.js';
import { QuestionRateLimiter } from './rate-limiter.js';
import { resultFacts, substituteFacts } from './answer.js';
import { appliedFilters } from './applied-filters.js';
import { suggestChart, type ChartSuggestion } from './chart-suggestion.js';
import { sinceReset } from './conversation-reset.js';

export interface AssistantLimits {
  maxQuestionChars: number;
  maxTurns: number;
  ratePerMinute: number;
}

/** `POST /v1/assistant/messages` body. Strict: a client-supplied `system` or `messages` is refused. */
export const AssistantRequestSchema = z.strictObject({
  conversationId: z.string().min(1).max(64).optional(),
  question: z.string().min(1),
});
export type AssistantRequest = z.output<typeof AssistantRequestSchema>;

export interface AssistantResponse {
  conversationId: string;
  answer: string;
  /** The semantic query that ran (never SQL); null when the assistant asks a question back. */
  query: SemanticQuery | null;
  data: QueryResult | null;
  chart: ChartSuggestion | null;
  /** The row-level restriction that applied, in plain words, from the user's own values. */
  appliedFilters: string | null;
  clarification?: { question: string; options?: string[] };
}

/** A checked request, ready to answer. Everything that can refuse with a 4xx happens before this. */
export interface PreparedQuestion {
  claims: EmbedTokenClaims;
  question: string;
  owner: ConversationOwner;
  conversation: Conversation;
}

export type AssistantStatus = 'planning' | 'querying' | 'writing';

export interface AnswerOptions {
  signal?: AbortSignal;
  requestId?: string;
  onStatus?: (status: AssistantStatus) => void;
}

export interface AnsweredQuestion {
  response: AssistantResponse;
  audit: { planner: string; outcome: 'answered' | 'clarified'; resource: string; details: Record<string, unknown> };
}

export interface AssistantServiceOptions {
  queryService: QueryService;
  planner: Planner;
  conversations: ConversationStore;
  workspaces: Pick<WorkspaceDirectory, 'get'>;
  limits: AssistantLimits;
  now: () => Date;
}

/**
 * @example
 * ```ts
 * const prepared = await assistant.prepare(request.embed.claims, request.body);
 * const { response } = await assistant.answer(prepared, { signal });
 * ```
 */
export class AssistantService {
  readonly #options: AssistantServiceOptions;
  readonly #limiter: QuestionRateLimiter;

  constructor(options: AssistantServiceOptions) {
    this.#options = options;
    this.#limiter = new QuestionRateLimiter(options.limits.ratePerMinute, () => options.now().getTime());
  }

  /**
   * @throws PerchError `scope_forbidden` (no assistant scope or below explorer), `unknown_field`,
   *   `value_too_large`, `rate_limited`, `not_found` (conversation of someone else), `conflict` (turn limit).
   */
  async prepare(claims: EmbedTokenClaims, body: unknown): Promise<PreparedQuestion> {
    this.#requireAssistant(claims);
    const request = parseOrThrow(AssistantRequestSchema, body);
    const question = request.question.trim();
    if (question === '') throw new PerchError('missing_field', { path: 'question', message: 'question: required' });
    if ([...question].length > this.#options.limits.maxQuestionChars) {
      throw new PerchError('value_too_large', { path: 'question', message: `question: at most ${this.#options.limits.maxQuestionChars} characters` });
    }
    if (question.includes('\u0000')) throw new PerchError('nul_byte', { path: 'question', message: 'question: NUL bytes are not allowed' });
    this.#limiter.take(`${claims.aud}\u0000${claims.sub}`);

    const owner = this.#owner(claims);
    let conversation: Conversation;
    if (request.conversationId !== undefined) {
      const found = await this.#options.conversations.open(owner, request.conversationId);
      // Someone else's conversation and a missing one look the same.
      if (!found) throw new PerchError('not_found', { path: 'conversationId', message: 'conversationId: no such conversation' });
      conversation = found;
    } else {
      conversation = await this.#options.conversations.create(owner);
    }
    if (conversation.turns >= this.#options.limits.maxTurns) {
      throw new PerchError('conflict', { path: 'conversationId', message: `This conversation has reached ${this.#options.limits.maxTurns} questions; start a new one.` });
    }
    return { claims, question, owner, conversation };
  }

  /**
   * The turns of one of this user's conversations (questions, semantic queries, answers; no rows).
   * @throws PerchError `scope_forbidden`, `not_found` (missing, or another user's or tenant's).
   */
  async conversation(claims: EmbedTokenClaims, id: string): Promise<{ conversationId: string; turns: Array<{ question: string; query: SemanticQuery | null; answer: string }> }> {
    this.#requireAssistant(claims);
    if (id.length > 64) throw new PerchError('not_found', { path: 'id', message: 'No such conversation.' });
    const turns = await this.#options.conversations.read(this.#owner(claims), id);
    if (!turns) throw new PerchError('not_found', { path: 'id', message: 'No such conversation.' });
    return { conversationId: id, turns: turns.map((t) => ({ question: t.question, query: t.query ?? null, answer: t.answer })) };
  }

  #requireAssistant(claims: EmbedTokenClaims): void {
    if (claims.scope.assistant !== true || !roleAtLeast(claims.user.role, 'explorer')) {
      throw new PerchError('scope_forbidden', { message: 'This token may not use the assistant.' });
    }
  }

  #owner(claims: EmbedTokenClaims): ConversationOwner {
    const tenant = tenantOf(claims, this.#options.workspaces);
    return { workspaceId: claims.aud, distinctId: claims.sub, tenantKey: tenant?.tenantKey ?? '' };
  }

  async answer(prepared: PreparedQuestion, options: AnswerOptions = {}): Promise<AnsweredQuestion> {
    const { claims, question, conversation } = prepared;
    const queryService = this.#options.queryService;
    const catalog: Catalog = queryService.catalog(claims);
    const lookupValues: LookupValues = async ({ dataset, member, search }) => {
      try {
        const { result } = await queryService.distinctValues(claims, { dataset, member, search, limit: 50 }, options.signal ? { signal: options.signal } : {});
        const column = result.columns[0]?.name;
        return column === undefined ? [] : result.rows.map((row) => row[column]).filter((v): v is string => typeof v === 'string');
      } catch {
        return [];
      }
    };

    options.onStatus?.('planning');
    const planner = this.#options.planner;
    const plan = await planner.plan({
      question,
      catalog,
      lookupValues,
      now: this.#options.now(),
      charts: this.#chartsInScope(claims, catalog),
      // After "start over" the earlier turns are no context, whichever planner answers.
      history: sinceReset(conversation.history).map((turn) => ({ question: turn.question, ...(turn.query ? { query: turn.query } : {}) })),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    // Which planner actually answered: the audit trail records the fallback, not the configuration.
    const plannerName = plan.fallback ? plan.fallback.planner : planner.name;
    const lead = plan.fallback ? [plan.fallback.notice] : [];

    if (plan.kind === 'clarify') {
      const text = [...lead, plan.question].join(' ');
      await this.#options.conversations.append(prepared.owner, conversation.id, { question, query: undefined, answer: text });
      return {
        response: {
          conversationId: conversation.id,
          answer: text,
          query: null,
          data: null,
          chart: null,
          appliedFilters: null,
          clarification: { question: plan.question, ...(plan.options ? { options: plan.options } : {}) },
        },
        audit: { planner: plannerName, outcome: 'clarified', resource: 'assistant', details: { conversationId: conversation.id, planner: plannerName, outcome: 'clarified' } },
      };
    }

    options.onStatus?.('querying');
    // Totals make "of a total of …" right for every measure, additive or not.
    const grouped = plan.query.dimensions.length > 0 || plan.query.timeDimension?.granularity !== undefined;
    const query: SemanticQuery = grouped ? { ...plan.query, totals: true } : plan.query;
    // The planner's query goes through exactly the path a client's query takes.
    const outcome = await queryService.run(claims, query, { ...(options.signal ? { signal: options.signal } : {}), ...(options.requestId ? { requestId: options.requestId } : {}) });

    options.onStatus?.('writing');
    const measures = queryService.model.datasets.get(query.dataset)?.measures;
    const additive = (name: string) => {
      const measure = measures?.get(name);
      return measure?.kind === 'aggregate' && ['sum', 'count', 'countDistinct'].includes(measure.aggregation);
    };
    const { facts, values, template } = resultFacts(query, outcome.result, catalog, plan.explanation, {
      additive,
      ...(plan.rangeLabel ? { rangeLabel: plan.rangeLabel } : {}),
      ...(plan.share ? { share: plan.share } : {}),
      ...(plan.comparison ? { comparison: true } : {}),
    });
    let answer = template;
    // After a fallback the model endpoint is known to be down: do not wait on it a second time.
    if (planner.writeAnswer && !plan.fallback) {
      const worded = await planner.writeAnswer({ question, query, explanation: plan.explanation, facts, rows: outcome.result.rows, ...(options.signal ? { signal: options.signal } : {}) });
      const substituted = worded === undefined ? undefined : substituteFacts(worded, values);
      if (substituted) answer = substituted;
    }
    answer = [...lead, ...(plan.notes ?? []), answer].join(' ');
    await this.#options.conversations.append(prepared.owner, conversation.id, { question, query, answer });
    return {
      response: {
        conversationId: conversation.id,
        answer,
        query,
        data: outcome.result,
        chart: suggestChart(query, outcome.result, plan.explanation, catalog, plan.comparison === true),
        appliedFilters: appliedFilters(queryService.model, claims.user, query),
      },
      audit: {
        planner: plannerName,
        outcome: 'answered',
        resource: outcome.resource,
        details: { conversationId: conversation.id, planner: plannerName, outcome: 'answered', query, ...outcome.audit },
      },
    };
  }

  /** Charts of model dashboards in the token's scope, offered to planners by title. */
  #chartsInScope(claims: EmbedTokenClaims, catalog: Catalog): PlannerChart[] {
    const charts: PlannerChart[] = [];
    const scope = claims.scope.dashboards;
    for (const dashboard of this.#options.queryService.model.dashboards.values()) {
      if (scope !== '*' && !scope.includes(dashboard.id)) continue;
      for (const chart of dashboard.charts) {
        if (!catalog.datasets.some((d) => d.name === chart.query.dataset)) continue;
        const query = SemanticQuerySchema.safeParse(chart.query);
        if (query.success) charts.push({ dashboard: dashboard.id, chart: chart.id, title: chart.title ?? chart.id, query: query.data });
      }
    }
    return charts;
  }
}
