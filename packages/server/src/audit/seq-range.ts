import type { Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';

/**
 * The span of `seq` values a workspace holds right now (`min` 0 when empty).
 *
 * Readers walk the chain in bounded `seq` windows (`seq > a and seq <= a + 1000`) rather than
 * `seq > a order by seq limit 1000`: because seq is gapless, a window is at most 1000 index
 * entries, so the plan is a short primary-key range scan whatever the table statistics say.
 * (The embedded store never runs autovacuum, and without statistics PostgreSQL may otherwise
 * sort every remaining row of the workspace for each chunk.)
 */
export async function seqSpan(db: Kysely<AuditDatabase>, workspace: string): Promise<{ min: number; max: number }> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => [eb.fn.min('seq').as('min'), eb.fn.max('seq').as('max')])
    .where('workspace_id', '=', workspace)
    .executeTakeFirst();
  if (!row || row.min === null || row.max === null) return { min: 0, max: 0 };
  return { min: Number(row.min), max: Number(row.max) };
}

export const SEQ_WINDOW = 1000;
