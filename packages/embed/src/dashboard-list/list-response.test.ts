import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { filterEntries, toDashboardList } from './list-response.js';
import { relativeTime } from './relative-time.js';

describe('toDashboardList', () => {
  it('reads the current shape as it is', () => {
    const body = {
      dashboards: [
        { id: 'sales', title: 'Sales', description: 'Revenue', source: 'model', editable: false },
        { id: 'mine', title: 'Mine', source: 'saved', version: 4, updatedAt: '2026-01-01T00:00:00.000Z', editable: true },
      ],
      canCreate: true,
    };
    expect(toDashboardList(body)).toEqual(body);
  });

  it('reads an older server without editable and canCreate as neither', () => {
    expect(toDashboardList({ dashboards: [{ id: 'mine', title: 'Mine', source: 'saved' }] })).toEqual({ dashboards: [{ id: 'mine', title: 'Mine', source: 'saved', editable: false }], canCreate: false });
  });

  it('never grants editable or canCreate from anything but true, and drops entries without id or title', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (editable, canCreate, title) => {
        const list = toDashboardList({ dashboards: [{ id: 'a', title, source: 'saved', editable }], canCreate });
        expect(list.canCreate).toBe(canCreate === true);
        if (typeof title === 'string') expect(list.dashboards).toEqual([{ id: 'a', title, source: 'saved', editable: editable === true }]);
        else expect(list.dashboards).toEqual([]);
      }),
    );
    expect(toDashboardList(null)).toEqual({ dashboards: [], canCreate: false });
    expect(toDashboardList({ dashboards: 'x' })).toEqual({ dashboards: [], canCreate: false });
  });
});

describe('filterEntries', () => {
  const entries = [
    { id: 'sales', title: 'Sales overview', source: 'model' as const, editable: false },
    { id: 'churn', title: 'Churn', description: 'Résiliations par mois', source: 'saved' as const, editable: true },
  ];
  it('matches title and description, ignoring case and accents; an empty query keeps all', () => {
    expect(filterEntries(entries, 'SALES').map((e) => e.id)).toEqual(['sales']);
    expect(filterEntries(entries, 'resiliation').map((e) => e.id)).toEqual(['churn']);
    expect(filterEntries(entries, '  ').map((e) => e.id)).toEqual(['sales', 'churn']);
    expect(filterEntries(entries, 'nothing')).toEqual([]);
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  it('names the largest unit reached, in the locale', () => {
    expect(relativeTime('2026-03-10T11:59:40Z', now, 'en')).toBe('now');
    expect(relativeTime('2026-03-10T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(relativeTime('2026-03-10T09:00:00Z', now, 'en')).toBe('3 hours ago');
    expect(relativeTime('2026-03-09T12:00:00Z', now, 'en')).toBe('yesterday');
    expect(relativeTime('2026-02-24T12:00:00Z', now, 'en')).toBe('2 weeks ago');
    expect(relativeTime('2025-01-10T12:00:00Z', now, 'en')).toBe('last year');
    expect(relativeTime('2026-03-07T12:00:00Z', now, 'de')).toBe('vor 3 Tagen');
    expect(relativeTime('not a date', now, 'en')).toBeUndefined();
  });
});
