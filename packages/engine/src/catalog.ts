/** The datasets and members a user may query, for `GET /v1/catalog` and the assistant. */
import type { EmbedUser } from '@perch/protocol';
import { memberVisible } from './access.js';
import type { Model } from './model/types.js';

export interface CatalogMember {
  name: string;
  kind: 'dimension' | 'measure';
  type: 'string' | 'number' | 'boolean' | 'time';
  title: string;
  description?: string;
  format?: string;
  synonyms: string[];
}

export interface CatalogDataset {
  name: string;
  title: string;
  description?: string;
  /** Own members first, then joined dimensions as `join.member`. */
  members: CatalogMember[];
}

export interface Catalog {
  datasets: CatalogDataset[];
}

function humanize(name: string): string {
  const words = name.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The catalog for a user: members hidden by member rules are left out entirely.
 *
 * @example
 * ```ts
 * catalogFor(model, user).datasets.find((d) => d.name === 'orders')?.members.map((m) => m.name)
 * // ['region', …, 'revenue', 'customer.segment', …]
 * ```
 */
export function catalogFor(model: Model, user: EmbedUser): Catalog {
  const datasets: CatalogDataset[] = [];
  for (const dataset of model.datasets.values()) {
    const members: CatalogMember[] = [];
    const add = (name: string, kind: 'dimension' | 'measure', type: CatalogMember['type'], m: { title: string | undefined; description: string | undefined; format: string | undefined; synonyms: readonly string[] }) => {
      members.push({
        name,
        kind,
        type,
        title: m.title ?? humanize(name),
        ...(m.description !== undefined ? { description: m.description } : {}),
        ...(m.format !== undefined ? { format: m.format } : {}),
        synonyms: [...m.synonyms],
      });
    };
    for (const d of dataset.dimensions.values()) if (memberVisible(dataset, d.name, user)) add(d.name, 'dimension', d.type, d);
    for (const m of dataset.measures.values()) if (memberVisible(dataset, m.name, user)) add(m.name, 'measure', 'number', m);
    for (const join of dataset.joins.values()) {
      const target = model.datasets.get(join.dataset);
      if (!target) continue;
      for (const d of target.dimensions.values()) {
        if (memberVisible(target, d.name, user)) add(`${join.name}.${d.name}`, 'dimension', d.type, { ...d, title: d.title ? `${humanize(join.name)} ${d.title}` : undefined });
      }
    }
    datasets.push({ name: dataset.name, title: dataset.title ?? humanize(dataset.name), ...(dataset.description !== undefined ? { description: dataset.description } : {}), members });
  }
  return { datasets };
}
