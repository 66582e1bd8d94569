import { PerchError } from '@perch/protocol';
import type { SelectQueryBuilder } from 'kysely';
import { AUDIT_ACTIONS, type AuditAction, type AuditOutcome } from './audit-event.js';
import type { AuditDatabase } from './audit-schema.js';

/** What an admin can filter the trail by. `from` is inclusive, `to` exclusive. */
export interface AuditFilters {
  workspace: string;
  distinctId?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  resource?: string;
  from?: Date | string;
  to?: Date | string;
}

const OUTCOMES: readonly string[] = ['success', 'refused', 'error'];

/** Check filters that may come straight from a query string; bad input is a 400, never a 500. */
export function validateFilters(filters: AuditFilters): { from: Date | undefined; to: Date | undefined } {
  if (typeof filters.workspace !== 'string' || filters.workspace.length === 0) throw new PerchError('missing_field', { path: 'workspace' });
  if (filters.action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(filters.action)) throw new PerchError('invalid_request', { path: 'action', message: 'Unknown audit action.' });
  if (filters.outcome !== undefined && !OUTCOMES.includes(filters.outcome)) throw new PerchError('invalid_request', { path: 'outcome', message: 'Unknown audit outcome.' });
  return { from: instant(filters.from, 'from'), to: instant(filters.to, 'to') };
}

function instant(value: Date | string | undefined, path: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new PerchError('invalid_date_range', { path, message: 'Expected an ISO 8601 instant.' });
  return date;
}

/** Apply the filters to a query over `audit_events`. */
export function applyFilters<O>(query: SelectQueryBuilder<AuditDatabase, 'audit_events', O>, filters: AuditFilters): SelectQueryBuilder<AuditDatabase, 'audit_events', O> {
  const { from, to } = validateFilters(filters);
  let q = query.where('workspace_id', '=', filters.workspace);
  if (filters.distinctId !== undefined) q = q.where('distinct_id', '=', filters.distinctId);
  if (filters.action !== undefined) q = q.where('action', '=', filters.action);
  if (filters.outcome !== undefined) q = q.where('outcome', '=', filters.outcome);
  if (filters.resource !== undefined) q = q.where('resource', '=', filters.resource);
  if (from !== undefined) q = q.where('time', '>=', from);
  if (to !== undefined) q = q.where('time', '<', to);
  return q;
}
