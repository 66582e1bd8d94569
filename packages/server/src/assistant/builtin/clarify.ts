/** Clarifying questions of the built-in planner, with concrete options the user can pick. */
import type { CatalogDataset } from '@perch/engine';
import type { PlanResult } from '../planner.js';
import { displayTitle } from '../titles.js';

export function clarify(question: string, options?: string[]): PlanResult {
  return options && options.length > 0 ? { kind: 'clarify', question, options: [...new Set(options)].slice(0, 6) } : { kind: 'clarify', question };
}

/**
 * Example questions this dataset can answer, written in the user's words, for options.
 * `history` suggests series over time (the honest alternative to a forecast).
 */
export function suggestionsFor(dataset: CatalogDataset | undefined, kind: 'general' | 'history' = 'general'): string[] {
  if (!dataset) return [];
  const measures = dataset.members.filter((m) => m.kind === 'measure').slice(0, 2);
  const dimension = dataset.members.find((m) => m.kind === 'dimension' && m.type === 'string' && !m.name.includes('.'));
  const time = dataset.members.some((m) => m.type === 'time');
  if (kind === 'history' && time) return measures.map((m) => `${displayTitle(m).toLowerCase()} by month over the last 12 months`);
  return measures.map((m, i) => `${displayTitle(m).toLowerCase()}${i === 0 && dimension ? ` by ${displayTitle(dimension).toLowerCase()}` : ''}${time ? (i === 0 ? ' last quarter' : ' by month') : ''}`);
}
