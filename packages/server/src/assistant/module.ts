import type { RouteModule } from '../http/route-module.js';
import type { PerchContext } from '../context.js';
import type { QueryService } from '../query/query-service.js';
import { registerAssistantRoutes } from './assistant-routes.js';
import { AssistantService } from './assistant-service.js';
import { ConversationStore } from './conversation-store.js';
import { createPlanner } from './create-planner.js';
import type { Planner } from './planner.js';

export interface AssistantModuleOptions {
  /** Replace the configured planner (tests, embedding applications). */
  planner?: Planner;
  /** The instant relative time expressions resolve against (default: the context clock). */
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/**
 * The assistant route group, for `buildApp({ modules })`, behind embed-token verification.
 *
 * @example
 * ```ts
 * const query = await createQueryModule(config, ctx);
 * const app = await buildApp(ctx, { modules: [...query.modules, createAssistantModule(ctx, query.service)] });
 * ```
 */
export function createAssistantModule(ctx: PerchContext, queryService: QueryService, options: AssistantModuleOptions = {}): RouteModule {
  const config = ctx.config.assistant;
  const service = new AssistantService({
    queryService,
    planner: options.planner ?? createPlanner(config, ctx.config.limits.maxRows, options.env ?? process.env),
    conversations: new ConversationStore(ctx.store.db),
    workspaces: ctx.workspaces,
    limits: { maxQuestionChars: config.maxQuestionChars, maxTurns: config.maxTurns, ratePerMinute: config.ratePerMinute },
    now: options.now ?? (() => new Date(ctx.clock.now())),
  });
  return { kind: 'embed', register: (app) => registerAssistantRoutes(app, ctx, service) };
}
