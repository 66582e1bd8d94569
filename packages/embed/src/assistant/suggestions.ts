import type { CatalogResponse } from './assistant-types.js';

/** Names are shown in a question's words: "Sales channel" in a sentence reads "sales channel". */
function lower(title: string): string {
  return /^[A-Z]{2}/.test(title) ? title : title.charAt(0).toLowerCase() + title.slice(1);
}

/**
 * Starter questions: first the charts of the dashboards in the token's scope (their titles are
 * questions the assistant answers as that chart), then questions built from the user's own
 * catalog. Names only, never data.
 *
 * @example
 * suggestedQuestions(catalog, ['Revenue by region']) // ['Revenue by region', 'Orders by month', …]
 */
export function suggestedQuestions(catalog: CatalogResponse, chartTitles: readonly string[] = [], count = 4): string[] {
  const out: string[] = [];
  const add = (question: string) => {
    // "Revenue by region last quarter" adds little after "Revenue by region": one of them is enough.
    const lower = question.toLowerCase();
    if (out.length < count && !out.some((q) => lower.startsWith(q.toLowerCase()) || q.toLowerCase().startsWith(lower))) out.push(question);
  };
  for (const title of chartTitles.slice(0, 2)) add(title);
  const dataset = catalog.datasets[0];
  if (!dataset) return out;
  const measures = dataset.members.filter((m) => m.kind === 'measure');
  const dimensions = dataset.members.filter((m) => m.kind === 'dimension' && m.type === 'string' && !m.name.includes('.') && !/\bid\b/i.test(m.title));
  const hasTime = dataset.members.some((m) => m.type === 'time');
  const [first, second] = measures;
  if (first && dimensions[0]) add(`${first.title} by ${lower(dimensions[0].title)}${hasTime ? ' last quarter' : ''}`);
  if (second && hasTime) add(`${second.title} by month this year`);
  if (first && dimensions[1]) add(`Which ${lower(dimensions[1].title)} brought in the most ${lower(first.title)}?`);
  if (first && hasTime) add(`${first.title} this year vs last year`);
  return out;
}
