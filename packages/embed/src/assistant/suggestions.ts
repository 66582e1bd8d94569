import type { CatalogResponse } from './assistant-types.js';

/** A few starter questions built from the user's own catalog (names only, never data). */
export function suggestedQuestions(catalog: CatalogResponse, count = 4): string[] {
  const dataset = catalog.datasets[0];
  if (!dataset) return [];
  const measures = dataset.members.filter((m) => m.kind === 'measure');
  const dimensions = dataset.members.filter((m) => m.kind === 'dimension' && m.type === 'string' && !m.name.includes('.') && !/\bid\b/i.test(m.title));
  const hasTime = dataset.members.some((m) => m.type === 'time');
  const out: string[] = [];
  const [first, second] = measures;
  if (first && dimensions[0]) out.push(`${first.title} by ${dimensions[0].title.toLowerCase()}${hasTime ? ' last quarter' : ''}`);
  if (second && hasTime) out.push(`${second.title} by month`);
  if (first && dimensions[1]) out.push(`Which ${dimensions[1].title.toLowerCase()} has the most ${first.title.toLowerCase()}?`);
  if (first && hasTime) out.push(`${first.title} this year vs last year`);
  return out.slice(0, count);
}
