import type { AttributeValue } from '@perch/protocol';

/** A demo end user of the host application. `attributes` go into the embed token as-is. */
export interface DemoUser {
  id: string;
  name: string;
  company: string;
  role: 'viewer' | 'explorer' | 'maker' | 'admin';
  attributes: Record<string, AttributeValue>;
}

/**
 * Users of different tenants (`customerId`), roles, regions and departments. Finance and
 * operations see every department of their tenant; the others only their own (see model/demo.yaml).
 */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'alice', name: 'Alice Martin', company: 'Acme Corporation', role: 'viewer', attributes: { customerId: 'acme', region: 'EMEA', department: 'sales' } },
  { id: 'bob', name: 'Bob Chen', company: 'Globex Corporation', role: 'explorer', attributes: { customerId: 'globex', region: 'AMER', department: 'finance' } },
  { id: 'carol', name: 'Carol Singh', company: 'Initech', role: 'maker', attributes: { customerId: 'initech', region: 'APAC', department: 'operations' } },
  { id: 'dan', name: 'Dan Okafor', company: 'Acme Corporation', role: 'admin', attributes: { customerId: 'acme', region: 'EMEA', department: 'finance' } },
  { id: 'erin', name: 'Erin Novak', company: 'Umbrella Corporation', role: 'viewer', attributes: { customerId: 'umbrella', region: 'EMEA', department: 'marketing' } },
];

export function findDemoUser(id: unknown): DemoUser | undefined {
  return typeof id === 'string' ? DEMO_USERS.find((u) => u.id === id) : undefined;
}
