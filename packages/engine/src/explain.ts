/**
 * "Why can't Alice see this?": the RLS policies of a dataset (and of the datasets it joins) for a
 * given user, with attribute values bound, user-only conditions decided and missing attributes
 * named. Unlike the query pipeline it never throws for a missing attribute; it reports it.
 */
import { PerchError, type AttributeValue, type EmbedUser } from '@perch/protocol';
import { attributeOf, memberVisible } from './access.js';
import { readPolicy, type PolicyExplanation } from './rls.js';
import { bindRoute } from './route.js';
import type { DialectName } from './governed.js';
import type { Dataset, Model, TableRoute } from './model/types.js';

export type { PolicyExplanation } from './rls.js';

/**
 * A routed dataset's tenant route for the user: the schema or database a query would read.
 * `not_in_catalog` is set by the server, which alone can ask the warehouse whether it exists.
 */
export interface RouteExplanation {
  kind: TableRoute['kind'];
  attribute: string;
  pattern: string;
  /** The attribute's value, when it is present. */
  value?: AttributeValue;
  status: 'bound' | 'attribute_missing' | 'route_invalid' | 'not_in_catalog';
}

export interface DatasetAccessExplanation {
  dataset: string;
  /** Present for a dataset routed to a tenant schema or database. */
  route?: RouteExplanation;
  /** `denied`: a query would be refused (missing/invalid attributes); `unrestricted`: no RLS. */
  outcome: 'filtered' | 'unrestricted' | 'denied';
  rowLevelSecurity: 'none' | PolicyExplanation;
  missingAttributes: string[];
  invalidAttributes: string[];
  /** Members this user cannot see. */
  hiddenMembers: string[];
}

export interface AccessExplanation extends DatasetAccessExplanation {
  /** Each join's dataset, as it applies when a query uses that join. */
  joins: Record<string, DatasetAccessExplanation & { joinedDataset: string }>;
}

/**
 * Explain row-level security for a user and a dataset.
 *
 * @example
 * ```ts
 * explainAccess(model, { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } }, 'orders')
 * // { outcome: 'denied', missingAttributes: ['department'], rowLevelSecurity: { id: 'orders.rls', kind: 'all', … } }
 * ```
 * @throws PerchError `unknown_dataset`.
 */
export function explainAccess(model: Model, user: EmbedUser, datasetName: string, dialect: DialectName = 'postgres'): AccessExplanation {
  const dataset = model.datasets.get(datasetName);
  if (!dataset) throw new PerchError('unknown_dataset', { path: 'dataset', message: 'dataset: unknown dataset' });
  const joins: AccessExplanation['joins'] = {};
  for (const join of dataset.joins.values()) {
    const target = model.datasets.get(join.dataset);
    if (target) joins[join.name] = { ...explainDataset(target, user, dialect), joinedDataset: target.name };
  }
  return { ...explainDataset(dataset, user, dialect), joins };
}

function explainDataset(dataset: Dataset, user: EmbedUser, dialect: DialectName): DatasetAccessExplanation {
  // The same reading of the policy tree as the query pipeline (rls.ts), so an explanation never
  // disagrees with what a query would do.
  const reading = readPolicy(dataset, dataset.name, user);
  const missing = new Set<string>(reading.missingAttributes);
  const invalid = new Set<string>(reading.invalidAttributes);
  const route = 'table' in dataset.source && dataset.source.route ? explainRoute(dataset.source.route, user, dialect, missing, invalid) : undefined;
  const members = [...dataset.dimensions.keys(), ...dataset.measures.keys()];
  const rowLevelSecurity = reading.explanation;
  return {
    dataset: dataset.name,
    ...(route ? { route } : {}),
    outcome: reading.refusal || route?.status === 'attribute_missing' || route?.status === 'route_invalid' ? 'denied' : rowLevelSecurity === 'none' ? 'unrestricted' : 'filtered',
    rowLevelSecurity,
    missingAttributes: [...missing].sort(),
    invalidAttributes: [...invalid].sort(),
    hiddenMembers: members.filter((m) => !memberVisible(dataset, m, user)),
  };
}

/** The same binding as the query pipeline (route.ts), reported instead of thrown. */
function explainRoute(route: TableRoute, user: EmbedUser, dialect: DialectName, missing: Set<string>, invalid: Set<string>): RouteExplanation {
  const base = { kind: route.kind, attribute: route.attribute, pattern: route.pattern };
  const value = attributeOf(user, route.attribute);
  try {
    bindRoute(route, user, dialect);
    return { ...base, ...(value === undefined ? {} : { value }), status: 'bound' };
  } catch (error) {
    if (!(error instanceof PerchError) || error.code === 'internal_error') throw error;
    if (error.code === 'rls_attribute_missing') {
      missing.add(route.attribute);
      return { ...base, status: 'attribute_missing' };
    }
    invalid.add(route.attribute);
    return { ...base, ...(value === undefined || value === null ? {} : { value }), status: 'route_invalid' };
  }
}
