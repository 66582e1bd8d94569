import type { DashboardListResponse, DashboardSummary } from '@perch/protocol';

/** One entry as the list shows it: `editable` always present. */
export type ListEntry = DashboardSummary;

/** The list as the element holds it. */
export interface DashboardList {
  dashboards: ListEntry[];
  canCreate: boolean;
}

/**
 * Read a `GET /v1/dashboards` body defensively. Older servers answer `{dashboards}` without
 * `editable` or `canCreate`; both then count as `false`, because offering an edit or a create the
 * server would refuse is worse than not offering it. Entries without a string id and title are
 * dropped rather than shown half-empty.
 *
 * @example
 * toDashboardList({ dashboards: [{ id: 'sales', title: 'Sales', source: 'model' }] })
 * // { dashboards: [{ id: 'sales', title: 'Sales', source: 'model', editable: false }], canCreate: false }
 */
export function toDashboardList(body: unknown): DashboardList {
  const raw = body as Partial<Record<keyof DashboardListResponse, unknown>> | null | undefined;
  const entries = Array.isArray(raw?.dashboards) ? (raw.dashboards as unknown[]) : [];
  const dashboards: ListEntry[] = [];
  for (const entry of entries) {
    const e = entry as Partial<Record<keyof DashboardSummary, unknown>> | null;
    if (typeof e?.id !== 'string' || typeof e.title !== 'string') continue;
    dashboards.push({
      id: e.id,
      title: e.title,
      ...(typeof e.description === 'string' && e.description !== '' ? { description: e.description } : {}),
      source: e.source === 'saved' ? 'saved' : 'model',
      ...(typeof e.version === 'number' ? { version: e.version } : {}),
      ...(typeof e.updatedAt === 'string' ? { updatedAt: e.updatedAt } : {}),
      editable: e.editable === true,
    });
  }
  return { dashboards, canCreate: raw?.canCreate === true };
}

/**
 * The entries whose title or description contains `query` (case- and accent-insensitive, in the
 * user's locale); all of them for an empty query.
 *
 * @example
 * filterEntries(list.dashboards, 'sal') // the "Sales overview" entry, not "Operations"
 */
export function filterEntries(entries: readonly ListEntry[], query: string, locale?: string): ListEntry[] {
  const needle = fold(query.trim(), locale);
  if (needle === '') return [...entries];
  return entries.filter((e) => fold(`${e.title}\n${e.description ?? ''}`, locale).includes(needle));
}

function fold(text: string, locale: string | undefined): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase(locale);
}
