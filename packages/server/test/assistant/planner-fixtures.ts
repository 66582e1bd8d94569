/**
 * Fixtures for planner tests: the demo model, a user's catalog, and a value look-up over the
 * values that user's RLS lets them see (acme, sales department), as the values path would return.
 */
import { resolve } from 'node:path';
import { catalogFor, loadModel, type Catalog, type Model } from '@perch/engine';
import type { EmbedUser } from '@perch/protocol';
import type { LookupValues } from '../../src/assistant/planner.js';

export const MODEL_DIR = resolve(import.meta.dirname, '../../../../model');
/** The demo warehouse's anchor date, so relative ranges are stable. */
export const NOW = new Date('2026-10-31T12:00:00Z');

export const EXPLORER: EmbedUser = { distinctId: 'ada', role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } };
export const MAKER: EmbedUser = { distinctId: 'max', role: 'maker', attributes: { customerId: 'acme', department: 'sales' } };

/** What RLS leaves visible to acme's sales department, per dataset and member. */
const VISIBLE: Record<string, Record<string, string[]>> = {
  orders: {
    region: ['EMEA', 'AMER', 'APAC'],
    department: ['sales'],
    channel: ['web', 'store', 'partner'],
    status: ['completed', 'refunded', 'pending'],
    customer_id: ['acme'],
    'customer.customer_id': ['acme'],
    'customer.name': ['Acme Corporation'],
    'customer.region': ['AMER'],
    'customer.segment': ['Enterprise'],
    'customer.country': ['US'],
    'product.name': ['Swift Laptop 001', 'Prime Router 002', 'Bold Course 005'],
    'product.category': ['Hardware', 'Software', 'Services', 'Accessories', 'Training'],
  },
  customers: { customer_id: ['acme'], name: ['Acme Corporation'], region: ['AMER'], segment: ['Enterprise'], country: ['US'] },
  products: { name: ['Swift Laptop 001', 'Prime Router 002', 'Bold Course 005'], category: ['Hardware', 'Software', 'Services', 'Accessories', 'Training'] },
};

export interface RecordedLookup {
  lookups: Array<{ dataset: string; member: string; search: string }>;
  lookupValues: LookupValues;
}

export function visibleValueLookup(): RecordedLookup {
  const lookups: RecordedLookup['lookups'] = [];
  return {
    lookups,
    lookupValues: async ({ dataset, member, search }) => {
      lookups.push({ dataset, member, search });
      const values = VISIBLE[dataset]?.[member] ?? [];
      return values.filter((v) => v.toLowerCase().startsWith(search.toLowerCase()));
    },
  };
}

let cached: Model | undefined;
export async function demoModel(): Promise<Model> {
  cached ??= await loadModel(MODEL_DIR);
  return cached;
}

export async function demoCatalog(user: EmbedUser = EXPLORER): Promise<Catalog> {
  return catalogFor(await demoModel(), user);
}
