/**
 * "Why can't Alice see this?": the RLS policies of a dataset (and of the datasets it joins) for a
 * given user, with attribute values bound, user-only conditions decided and missing attributes
 * named. Unlike the query pipeline it never throws for a missing attribute; it reports it.
 */
import { PerchError, type EmbedUser } from '@perch/protocol';
import { memberVisible } from './access.js';
import { readPolicy, type PolicyExplanation } from './rls.js';
import type { Dataset, Model } from './model/types.js';

export type { PolicyExplanation } from './rls.js';

export interface DatasetAccessExplanation {
  dataset: string;
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
export function explainAccess(model: Model, user: EmbedUser, datasetName: string): AccessExplanation {
  const dataset = model.datasets.get(datasetName);
  if (!dataset) throw new PerchError('unknown_dataset', { path: 'dataset', message: 'dataset: unknown dataset' });
  const joins: AccessExplanation['joins'] = {};
  for (const join of dataset.joins.values()) {
    const target = model.datasets.get(join.dataset);
    if (target) joins[join.name] = { ...explainDataset(target, user), joinedDataset: target.name };
  }
  return { ...explainDataset(dataset, user), joins };
}

function explainDataset(dataset: Dataset, user: EmbedUser): DatasetAccessExplanation {
  // The same reading of the policy tree as the query pipeline (rls.ts), so an explanation never
  // disagrees with what a query would do.
  const reading = readPolicy(dataset, dataset.name, user);
  const members = [...dataset.dimensions.keys(), ...dataset.measures.keys()];
  const rowLevelSecurity = reading.explanation;
  return {
    dataset: dataset.name,
    outcome: reading.refusal ? 'denied' : rowLevelSecurity === 'none' ? 'unrestricted' : 'filtered',
    rowLevelSecurity,
    missingAttributes: [...reading.missingAttributes].sort(),
    invalidAttributes: [...reading.invalidAttributes].sort(),
    hiddenMembers: members.filter((m) => !memberVisible(dataset, m, user)),
  };
}
