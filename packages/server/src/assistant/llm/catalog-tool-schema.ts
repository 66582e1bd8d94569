/**
 * The JSON schema of the `run_query` tool, generated from the catalog this user may see: the
 * model is offered only these datasets and members, as enums, so it has no name to reach for
 * outside them. The server still checks every call (see `query-check.ts`).
 */
import { FILTER_OPERATORS, GRANULARITIES } from '@perch/protocol';
import type { Catalog, CatalogDataset } from '@perch/engine';

export type JsonSchemaObject = Record<string, unknown>;

function names(dataset: CatalogDataset, predicate: (kind: 'dimension' | 'measure', type: string) => boolean): string[] {
  return dataset.members.filter((m) => predicate(m.kind, m.type)).map((m) => m.name);
}

function enumOrNone(values: string[]): JsonSchemaObject {
  return values.length > 0 ? { type: 'string', enum: values } : { not: {} };
}

function datasetVariant(dataset: CatalogDataset, maxLimit: number): JsonSchemaObject {
  const measures = names(dataset, (kind) => kind === 'measure');
  const dimensions = names(dataset, (kind, type) => kind === 'dimension' && type !== 'time');
  const times = names(dataset, (kind, type) => kind === 'dimension' && type === 'time');
  const all = dataset.members.map((m) => m.name);
  return {
    type: 'object',
    additionalProperties: false,
    required: ['dataset', 'measures'],
    properties: {
      dataset: { type: 'string', const: dataset.name, description: dataset.description ?? dataset.title },
      measures: { type: 'array', items: enumOrNone(measures), maxItems: 10 },
      dimensions: { type: 'array', items: enumOrNone(dimensions), maxItems: 5 },
      ...(times.length > 0
        ? {
            timeDimension: {
              type: 'object',
              additionalProperties: false,
              required: ['member'],
              properties: {
                member: enumOrNone(times),
                granularity: { type: 'string', enum: [...GRANULARITIES] },
                dateRange: {
                  description: '"today", "yesterday", "this|last day|week|month|quarter|year", "last N days|weeks|months|quarters|years", or [from, to] ISO dates',
                  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 }],
                },
              },
            },
          }
        : {}),
      filters: {
        type: 'array',
        maxItems: 10,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['member', 'operator'],
          properties: {
            member: enumOrNone(names(dataset, (kind) => kind === 'dimension')),
            operator: { type: 'string', enum: [...FILTER_OPERATORS] },
            values: { type: 'array', items: { type: ['string', 'number', 'boolean'] }, maxItems: 50 },
          },
        },
      },
      order: {
        type: 'array',
        maxItems: 3,
        items: { type: 'object', additionalProperties: false, required: ['member', 'direction'], properties: { member: enumOrNone(all), direction: { type: 'string', enum: ['asc', 'desc'] } } },
      },
      limit: { type: 'integer', minimum: 1, maximum: maxLimit },
    },
  };
}

/**
 * @example
 * ```ts
 * const schema = runQueryToolSchema(catalogFor(model, user), 1000);
 * // { anyOf: [{ properties: { dataset: { const: 'orders' }, measures: { items: { enum: ['revenue', …] } } … } }, …] }
 * ```
 */
export function runQueryToolSchema(catalog: Catalog, maxLimit: number): JsonSchemaObject {
  const variants = catalog.datasets.map((d) => datasetVariant(d, maxLimit));
  return variants.length === 1 ? variants[0]! : { anyOf: variants };
}

export const CLARIFY_TOOL_SCHEMA: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['question'],
  properties: { question: { type: 'string', maxLength: 500 }, options: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 6 } },
};

/** Catalog as plain text for the system prompt: names, titles, synonyms, never any data. */
export function describeCatalog(catalog: Catalog): string {
  return catalog.datasets
    .map((d) => {
      const lines = d.members.map((m) => `  - ${m.name} (${m.kind}, ${m.type}): ${m.title}${m.synonyms.length ? `; also called ${m.synonyms.join(', ')}` : ''}`);
      return `Dataset ${d.name}: ${d.title}${d.description ? ` — ${d.description}` : ''}\n${lines.join('\n')}`;
    })
    .join('\n');
}
