/**
 * The demo warehouse contract shared by the generator, the PostgreSQL and MySQL loaders and the demo model.
 * Bump GENERATOR_VERSION whenever generated values change, so existing files are rebuilt.
 */
export const GENERATOR_VERSION = '1';

/**
 * Orders are spread over the 1,096 days before an anchor date (exclusive). Without a `today`, the
 * generator uses this fixed anchor and never reads the clock, so tests get the same rows forever.
 * With a `today` (the demo that `npm start` runs), the anchor is that day, so the data ends
 * yesterday and "Last 7 days" is never empty.
 */
export const ANCHOR_DATE = '2026-10-31';
export const HISTORY_DAYS = 1_096;
export const HISTORY_SECONDS = HISTORY_DAYS * 86_400;
/** A warehouse whose anchor is more than this many days behind the requested one is regenerated. */
export const MAX_ANCHOR_AGE_DAYS = 3;

/**
 * The anchor (first day with no orders) for a requested `today`, as `YYYY-MM-DD` in UTC.
 *
 * @example
 * anchorDateFor(undefined) // '2026-10-31' (the fixed anchor)
 * anchorDateFor('2027-03-05T14:00:00Z') // '2027-03-05': the last orders are on 4 March
 */
export function anchorDateFor(today: Date | string | undefined): string {
  if (today === undefined) return ANCHOR_DATE;
  const date = new Date(today);
  if (Number.isNaN(date.getTime())) throw new RangeError('today must be a date');
  return date.toISOString().slice(0, 10);
}

/** The first day of the history for an anchor, `YYYY-MM-DD`. */
export function historyStartFor(anchor: string): string {
  return new Date(Date.parse(`${anchor}T00:00:00Z`) - HISTORY_SECONDS * 1000).toISOString().slice(0, 10);
}

/** The fixed history's first day (2023-10-31). */
export const HISTORY_START = historyStartFor(ANCHOR_DATE);

export const DEFAULT_ORDER_COUNT = 1_000_000;
export const PRODUCT_COUNT = 200;

export const REGIONS = ['EMEA', 'AMER', 'APAC'] as const;
export const DEPARTMENTS = ['sales', 'finance', 'marketing', 'support', 'operations'] as const;
export const STATUSES = ['completed', 'refunded', 'pending'] as const;
export const CHANNELS = ['web', 'store', 'partner'] as const;
export const PRODUCT_CATEGORIES = ['Hardware', 'Software', 'Services', 'Accessories', 'Training'] as const;

export interface DemoCustomer {
  customer_id: string;
  name: string;
  region: (typeof REGIONS)[number];
  segment: 'Enterprise' | 'Mid-Market' | 'SMB';
  country: string;
}

/** The tenants. Ids are stable: demo tokens and tests refer to them by name. */
export const CUSTOMERS: readonly DemoCustomer[] = [
  { customer_id: 'acme', name: 'Acme Corporation', region: 'AMER', segment: 'Enterprise', country: 'US' },
  { customer_id: 'globex', name: 'Globex Corporation', region: 'AMER', segment: 'Enterprise', country: 'US' },
  { customer_id: 'initech', name: 'Initech', region: 'AMER', segment: 'Mid-Market', country: 'CA' },
  { customer_id: 'umbrella', name: 'Umbrella Corporation', region: 'EMEA', segment: 'Enterprise', country: 'GB' },
  { customer_id: 'hooli', name: 'Hooli', region: 'AMER', segment: 'Enterprise', country: 'US' },
  { customer_id: 'stark', name: 'Stark Industries', region: 'AMER', segment: 'Enterprise', country: 'US' },
  { customer_id: 'wayne', name: 'Wayne Enterprises', region: 'AMER', segment: 'Enterprise', country: 'US' },
  { customer_id: 'wonka', name: 'Wonka Industries', region: 'EMEA', segment: 'Mid-Market', country: 'GB' },
  { customer_id: 'tyrell', name: 'Tyrell Corporation', region: 'APAC', segment: 'Enterprise', country: 'JP' },
  { customer_id: 'cyberdyne', name: 'Cyberdyne Systems', region: 'AMER', segment: 'Mid-Market', country: 'US' },
  { customer_id: 'soylent', name: 'Soylent Corp', region: 'APAC', segment: 'SMB', country: 'AU' },
  { customer_id: 'oscorp', name: 'Oscorp', region: 'EMEA', segment: 'Mid-Market', country: 'DE' },
  { customer_id: 'vandelay', name: 'Vandelay Industries', region: 'EMEA', segment: 'SMB', country: 'FR' },
  { customer_id: 'pied_piper', name: 'Pied Piper', region: 'APAC', segment: 'SMB', country: 'SG' },
];

/** Column lists in table order, shared by the generator and the PostgreSQL loader. */
export const TABLE_DDL = {
  perch_meta: 'key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL',
  customers: 'customer_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, region VARCHAR NOT NULL, segment VARCHAR NOT NULL, country VARCHAR NOT NULL',
  products: 'product_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, category VARCHAR NOT NULL, unit_price DOUBLE PRECISION NOT NULL',
  orders:
    'order_id BIGINT PRIMARY KEY, customer_id VARCHAR NOT NULL, product_id INTEGER NOT NULL, region VARCHAR NOT NULL, department VARCHAR NOT NULL, channel VARCHAR NOT NULL, status VARCHAR NOT NULL, quantity INTEGER NOT NULL, amount DOUBLE PRECISION NOT NULL, ordered_at TIMESTAMP NOT NULL',
} as const;
