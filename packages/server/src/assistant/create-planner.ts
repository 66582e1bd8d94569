import type { PerchConfig } from '../config.js';
import { BuiltinPlanner } from './builtin/builtin-planner.js';
import { LlmPlanner } from './llm/llm-planner.js';
import type { Planner } from './planner.js';
import { FallbackPlanner } from './fallback-planner.js';

/**
 * The configured planner. The LLM API key is read only from the environment: `llm.apiKeyEnv`
 * when set, else `PERCH_LLM_API_KEY`, else `OPENAI_API_KEY`. Local endpoints (Ollama, vLLM) need none.
 *
 * @throws Error when `planner: llm` has no `llm` section (a configuration error at start).
 */
export function createPlanner(config: PerchConfig['assistant'], maxRows: number, env: NodeJS.ProcessEnv): Planner {
  if (config.planner === 'builtin') return new BuiltinPlanner();
  const llm = config.llm;
  if (!llm) throw new Error('assistant.planner is "llm" but assistant.llm (baseUrl, model) is not configured');
  const apiKey = (llm.apiKeyEnv ? env[llm.apiKeyEnv] : undefined) ?? env.PERCH_LLM_API_KEY ?? env.OPENAI_API_KEY;
  const model = new LlmPlanner({ baseUrl: llm.baseUrl, model: llm.model, apiKey: apiKey || undefined, shareRowData: llm.shareRowData, maxLimit: Math.min(maxRows, 10_000), timeoutMs: llm.timeoutMs });
  return new FallbackPlanner(model, new BuiltinPlanner(), llm.fallbackToBuiltin);
}
