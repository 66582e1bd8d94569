import { catalogFor, type Dataset, type Model } from '@perch/engine';
import { PerchError, type AttributeValue, type EmbedTokenClaims, type EmbedUser } from '@perch/protocol';
import type { QueryService } from '../query/index.js';
import { sameRows, type ReferenceRow, type ReferenceValue } from './compare.js';
import { finding, type Finding } from './findings.js';
import { attributeUses, tenantKeys } from './policy-shape.js';
import { raw, referenceDistinctValues, referenceQuery, type GeneratedQuery } from './reference-sql.js';
import type { ReferenceWarehouse } from './reference-warehouse.js';

export interface DifferentialOptions {
  /** Tenants to sample. */
  readonly tenants: number;
  /** Generated queries per tenant. */
  readonly queries: number;
  /** Seed of the query generator: the same seed asks the same questions. */
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DifferentialResult {
  readonly tenantAttribute: string | undefined;
  readonly tenants: readonly ReferenceValue[];
  readonly queries: number;
  readonly findings: readonly Finding[];
}

/** Dimensions with more distinct values than this are left out: their answers would be truncated. */
const MAX_GROUPS = 200;
/** Filter values and non-tenant attribute candidates sampled per column. */
const POOL = 12;

/** A small deterministic generator (mulberry32), so a report can be reproduced from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

/** The attribute most datasets draw their tenant boundary with (`customerId` in the demo). */
function primaryTenantAttribute(model: Model): string | undefined {
  const counts = new Map<string, number>();
  for (const dataset of model.datasets.values()) for (const key of tenantKeys(dataset)) counts.set(key.attribute, (counts.get(key.attribute) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

async function distinctColumn(reference: ReferenceWarehouse, dataset: Dataset, column: string, limit?: number): Promise<ReferenceValue[]> {
  const c = `${raw.quote('t')}.${raw.quote(column)}`;
  const rows = await reference.rows(`SELECT DISTINCT ${c} FROM ${raw.sourceSql(dataset)} AS ${raw.quote('t')} WHERE ${c} IS NOT NULL ORDER BY 1${limit ? ` LIMIT ${Math.trunc(limit)}` : ''}`);
  return rows.map((row) => row[0]!);
}

interface Surface {
  readonly dataset: Dataset;
  readonly measures: string[];
  readonly dimensions: string[];
  /** Filter candidates per string dimension. */
  readonly pools: Map<string, ReferenceValue[]>;
}

/** What can be asked of each dataset: aggregate measures and low-cardinality dimensions. */
async function querySurface(model: Model, reference: ReferenceWarehouse): Promise<Surface[]> {
  const surfaces: Surface[] = [];
  for (const dataset of model.datasets.values()) {
    const measures = [...dataset.measures.values()].filter((m) => m.kind === 'aggregate').map((m) => m.name);
    if (measures.length === 0) continue;
    const dimensions: string[] = [];
    const pools = new Map<string, ReferenceValue[]>();
    const consider = async (member: string, owner: Dataset, column: string, type: string) => {
      if (type === 'time') return;
      const c = `${raw.quote('t')}.${raw.quote(column)}`;
      const [row] = await reference.rows(`SELECT COUNT(DISTINCT ${c}) FROM ${raw.sourceSql(owner)} AS ${raw.quote('t')}`);
      if (Number(row?.[0] ?? 0) > MAX_GROUPS) return;
      dimensions.push(member);
      if (type === 'string') pools.set(member, await distinctColumn(reference, owner, column, POOL));
    };
    for (const d of dataset.dimensions.values()) await consider(d.name, dataset, d.column, d.type);
    for (const join of dataset.joins.values()) {
      const target = model.datasets.get(join.dataset);
      if (target) for (const d of target.dimensions.values()) await consider(`${join.name}.${d.name}`, target, d.column, d.type);
    }
    surfaces.push({ dataset, measures, dimensions, pools });
  }
  return surfaces;
}

/** Users for the sampled tenants: the tenant value, and other attributes from real column values. */
async function makeUsers(model: Model, reference: ReferenceWarehouse, attribute: string, tenants: readonly ReferenceValue[]): Promise<EmbedUser[]> {
  const uses = attributeUses([...model.datasets.values()]);
  const candidates = new Map<string, ReferenceValue[]>();
  for (const use of uses.values()) {
    if (use.attribute === attribute) continue;
    const values = new Set<ReferenceValue>(use.literals);
    for (const { dataset, column } of use.columns) for (const value of await distinctColumn(reference, dataset, column, POOL)) values.add(value);
    candidates.set(use.attribute, [...values]);
  }
  return tenants.map((tenant, i) => {
    const attributes: Record<string, AttributeValue> = {};
    for (const use of uses.values()) {
      const value = use.attribute === attribute ? tenant : (candidates.get(use.attribute) ?? [])[i % Math.max(1, candidates.get(use.attribute)?.length ?? 1)];
      if (value === undefined || value === null) continue;
      attributes[use.attribute] = (use.list ? [value] : value) as AttributeValue;
    }
    return { distinctId: `verify-isolation-${i}`, role: 'explorer', attributes };
  });
}

function claimsFor(user: EmbedUser): EmbedTokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'perch', aud: 'perch-embed', sub: user.distinctId, jti: `verify-${user.distinctId}`, iat: now, nbf: now, exp: now + 3600, env: 'test', user, scope: { dashboards: [], assistant: false }, kid_api: 'verify-isolation' };
}

/**
 * Values that belong to one sampled tenant only: the tenant values themselves, and the values of
 * string dimensions that appear in exactly one sampled tenant's rows, across every dataset (a
 * region unique to one tenant's customer record may still be in another tenant's orders).
 */
async function ownedValues(model: Model, reference: ReferenceWarehouse, attribute: string, tenants: readonly ReferenceValue[]): Promise<Map<ReferenceValue, ReferenceValue>> {
  const holders = new Map<ReferenceValue, Set<ReferenceValue>>(tenants.map((t) => [t, new Set([t])]));
  for (const dataset of model.datasets.values()) {
    const key = tenantKeys(dataset).find((k) => k.attribute === attribute);
    if (!key) continue;
    const tenantColumn = `${raw.quote('t')}.${raw.quote(key.column)}`;
    const placeholders = tenants.map((_, i) => `$${i + 1}`).join(', ');
    for (const dimension of dataset.dimensions.values()) {
      if (dimension.type !== 'string' || dimension.column === key.column) continue;
      const c = `${raw.quote('t')}.${raw.quote(dimension.column)}`;
      const rows = await reference.rows(`SELECT DISTINCT ${c}, ${tenantColumn} FROM ${raw.sourceSql(dataset)} AS ${raw.quote('t')} WHERE ${tenantColumn} IN (${placeholders}) AND ${c} IS NOT NULL`, tenants);
      for (const [value, tenant] of rows) {
        const set = holders.get(value!) ?? new Set<ReferenceValue>();
        set.add(tenant!);
        holders.set(value!, set);
      }
    }
  }
  const owner = new Map<ReferenceValue, ReferenceValue>();
  for (const [value, set] of holders) if (set.size === 1) owner.set(value, [...set][0]!);
  return owner;
}

function generate(next: () => number, surfaces: readonly Surface[], visible: ReadonlySet<string>): GeneratedQuery & { kind: 'query' | 'values' } {
  const surface = pick(next, surfaces);
  const isVisible = (member: string) => visible.has(`${surface.dataset.name}:${member}`);
  const measures = surface.measures.filter(isVisible);
  const dimensions = surface.dimensions.filter(isVisible);
  const roll = next();
  if (roll < 0.15 && dimensions.length > 0) return { kind: 'values', dataset: surface.dataset.name, measures: [], dimensions: [pick(next, dimensions)], totals: false };
  const chosenMeasures = [...new Set([pick(next, measures), ...(next() < 0.5 ? [pick(next, measures)] : [])])];
  const count = dimensions.length === 0 ? 0 : Math.floor(next() * 3);
  const chosenDimensions = [...new Set(Array.from({ length: count }, () => pick(next, dimensions)))];
  const filterable = [...surface.pools.keys()].filter(isVisible);
  const filterMember = filterable.length > 0 && next() < 0.35 ? pick(next, filterable) : undefined;
  const pool = filterMember ? surface.pools.get(filterMember)! : [];
  return {
    kind: 'query',
    dataset: surface.dataset.name,
    measures: chosenMeasures,
    dimensions: chosenDimensions,
    ...(filterMember && pool.length > 0 ? { filter: { member: filterMember, value: pick(next, pool) } } : {}),
    totals: roll > 0.8,
  };
}

function toRows(result: { rows: Array<Record<string, unknown>> }, names: readonly string[]): ReferenceRow[] {
  return result.rows.map((row) => names.map((name) => (row[name] ?? null) as ReferenceValue));
}

/**
 * The differential run: for each sampled tenant, generated governed queries through the query
 * service (model → RLS → compiler → connector), each compared with reference SQL over the raw
 * tables and searched for values that belong to another sampled tenant.
 *
 * @example
 * ```ts
 * const result = await differentialRun(model, service, reference, { tenants: 5, queries: 40 });
 * ```
 */
export async function differentialRun(model: Model, service: QueryService, reference: ReferenceWarehouse, options: DifferentialOptions): Promise<DifferentialResult> {
  const attribute = primaryTenantAttribute(model);
  if (attribute === undefined) return { tenantAttribute: undefined, tenants: [], queries: 0, findings: [] };
  const all = new Set<ReferenceValue>();
  for (const dataset of model.datasets.values()) {
    const key = tenantKeys(dataset).find((k) => k.attribute === attribute);
    if (key) for (const value of await distinctColumn(reference, dataset, key.column)) all.add(value);
  }
  const tenants = spread([...all].filter((t) => t !== '').sort((a, b) => String(a).localeCompare(String(b))), options.tenants);
  const users = await makeUsers(model, reference, attribute, tenants);
  const surfaces = await querySurface(model, reference);
  const owners = await ownedValues(model, reference, attribute, tenants);
  const findings: Finding[] = [];
  const total = tenants.length * options.queries;
  let done = 0;

  for (const [index, user] of users.entries()) {
    const tenant = tenants[index]!;
    const claims = claimsFor(user);
    const visible = new Set(catalogFor(model, user).datasets.flatMap((d) => d.members.map((m) => `${d.name}:${m.name}`)));
    const next = random((options.seed ?? 1) * 7919 + index);
    for (let q = 0; q < options.queries; q++) {
      const generated = generate(next, surfaces, visible);
      const body =
        generated.kind === 'values'
          ? { dataset: generated.dataset, member: generated.dimensions[0]! }
          : {
              dataset: generated.dataset,
              measures: [...generated.measures],
              dimensions: [...generated.dimensions],
              ...(generated.filter ? { filters: [{ member: generated.filter.member, operator: 'equals', values: [generated.filter.value] }] } : {}),
              ...(generated.totals ? { totals: true } : {}),
              limit: MAX_GROUPS * MAX_GROUPS,
            };
      const seen: ReferenceRow[] = [];
      try {
        if (generated.kind === 'values') {
          const { result } = await service.distinctValues(claims, { dataset: generated.dataset, member: generated.dimensions[0]!, limit: MAX_GROUPS * 5 });
          const governed = toRows(result, [generated.dimensions[0]!]);
          const expected = referenceDistinctValues(model, generated.dataset, generated.dimensions[0]!, user);
          seen.push(...governed);
          if (!sameRows(governed, await reference.rows(expected.sql, expected.parameters))) {
            findings.push(finding('result_mismatch', { dataset: generated.dataset, query: { values: body }, tenant: String(tenant), message: 'distinct values differ from the reference SQL' }));
          }
        } else {
          const { result } = await service.run(claims, body);
          const governed = toRows(result, [...generated.dimensions, ...generated.measures]);
          const expected = referenceQuery(model, generated, user);
          seen.push(...governed);
          let same = sameRows(governed, await reference.rows(expected.sql, expected.parameters));
          if (same && generated.totals) {
            const totals = result.meta.totals ?? {};
            const expectedTotals = referenceQuery(model, generated, user, { withDimensions: false });
            const governedTotals = [generated.measures.map((m) => (totals[m] ?? null) as ReferenceValue)];
            same = sameRows(governedTotals, await reference.rows(expectedTotals.sql, expectedTotals.parameters));
          }
          if (!same) findings.push(finding('result_mismatch', { dataset: generated.dataset, query: body, tenant: String(tenant), message: 'the governed answer differs from the reference SQL' }));
        }
      } catch (error) {
        const code = error instanceof PerchError ? error.code : 'internal_error';
        findings.push(finding('query_failed', { dataset: generated.dataset, query: body, tenant: String(tenant), message: `the governed query failed with ${code}` }));
      }
      // Text only: a count may equal a numeric tenant id by coincidence, a name or an id string does not.
      const foreign = seen.flat().filter((cell) => typeof cell === 'string' && owners.has(cell) && owners.get(cell) !== tenant);
      if (foreign.length > 0) {
        findings.push(finding('foreign_value_seen', { dataset: generated.dataset, query: body, tenant: String(tenant), message: `the answer holds values of another tenant`, values: [...new Set(foreign)].slice(0, 5) }));
      }
      done += 1;
      options.onProgress?.(done, total);
    }
  }
  return { tenantAttribute: attribute, tenants, queries: done, findings };
}
