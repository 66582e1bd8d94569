import { LRUCache } from 'lru-cache';
import { deepFreeze } from '@perch/protocol';
import { parseStrictJson } from './strict-json.js';

export interface RememberedJsonOptions {
  /** Distinct bodies kept (default 512). */
  maxEntries?: number;
  /** Longer bodies are parsed every time (default 8,192 characters). */
  maxLength?: number;
}

/**
 * Strict JSON parsing for embed routes, which remembers recent bodies.
 *
 * Browsers send the same few bodies again and again (a dashboard's tiles, a chart re-rendered),
 * so a body seen recently is answered with the value parsed the first time, skipping
 * `JSON.parse` and the duplicate-key scan. Every value is deeply frozen, remembered or not, so
 * that a value shared by two requests cannot be changed by either.
 *
 * Bodies of API-key routes are not kept: they are admin calls, rarely repeated.
 *
 * @example
 * ```ts
 * const bodies = new RememberedJsonBodies();
 * bodies.parse('{"dataset":"orders"}') === bodies.parse('{"dataset":"orders"}'); // true
 * ```
 */
export class RememberedJsonBodies {
  readonly #recent: LRUCache<string, { value: unknown }>;
  readonly #maxLength: number;

  constructor(options: RememberedJsonOptions = {}) {
    this.#recent = new LRUCache({ max: options.maxEntries ?? 512 });
    this.#maxLength = options.maxLength ?? 8_192;
  }

  /** @throws PerchError `invalid_json`, `duplicate_key` (never remembered: refused every time). */
  parse(text: string): unknown {
    const known = this.#recent.get(text);
    if (known) return known.value;
    const value = deepFreeze(parseStrictJson(text));
    if (text.length <= this.#maxLength) this.#recent.set(text, { value });
    return value;
  }
}
