import { resolve } from 'node:path';
import { loadModel } from '@perch/engine';
import pino from 'pino';
import type { PerchConfig } from '../config.js';
import { QueryService } from '../query/index.js';
import { openWarehouse } from '../query/open-warehouse.js';
import { withWarehouseColumnTypes } from '../query/policy-column-types.js';
import type { ReferenceValue } from './compare.js';
import { differentialRun } from './differential.js';
import type { Finding } from './findings.js';
import { openDuckDBReference, openPostgresReference } from './reference-warehouse.js';
import { staticChecks } from './static-checks.js';
import { RoutingConnector } from '../connectors/index.js';
import { routeIsolation, schemaRoutedDatasets, unroutedModel } from './route-isolation.js';

export interface VerifyIsolationOptions {
  /** Tenants to sample (default 10). */
  readonly tenants?: number;
  /** Generated governed queries per tenant (default 50). */
  readonly queries?: number;
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface IsolationReport {
  /** True when no finding is a violation. */
  readonly ok: boolean;
  readonly connector: 'duckdb' | 'postgres' | 'mysql';
  readonly modelDir: string;
  readonly tenantAttribute: string | null;
  readonly tenants: readonly ReferenceValue[];
  /** Tenant schemas sampled from the catalog, per schema-routed dataset (each schema is a tenant). */
  readonly routedTenants: Record<string, string[]>;
  readonly queries: number;
  /** Set when the differential run did not run, with the reason. */
  readonly differentialSkipped: string | null;
  readonly durationMs: number;
  readonly violations: number;
  readonly warnings: number;
  readonly findings: readonly Finding[];
}

/** Findings that make the model unable to start, so there is no governed path to compare. */
const BLOCKING = new Set(['policy_column_missing', 'policy_column_type_mismatch']);

/**
 * `perch verify-isolation`: evidence, on the customer's own model and warehouse, that tenants are
 * isolated. Static checks first, then a differential run of generated governed queries for
 * sampled real tenants against reference SQL over the raw tables.
 *
 * @example
 * ```ts
 * const report = await verifyIsolation(loadConfig(), { tenants: 10, queries: 50 });
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export async function verifyIsolation(config: PerchConfig, options: VerifyIsolationOptions = {}): Promise<IsolationReport> {
  const started = performance.now();
  const modelDir = resolve(config.cwd, config.modelDir);
  const parsed = await loadModel(modelDir);
  const { connector, connectorConfig } = await openWarehouse(config, { logger: pino({ level: 'silent' }) }, parsed);
  if (connectorConfig.type === 'mysql') {
    // Its reference SQL is written for DuckDB and PostgreSQL; a MySQL run would compare nothing.
    await connector.close();
    throw new Error('perch verify-isolation supports DuckDB and PostgreSQL warehouses; MySQL/MariaDB is not supported yet');
  }
  const reference = connectorConfig.type === 'duckdb' ? await openDuckDBReference(connectorConfig.path) : await openPostgresReference(connectorConfig.url);
  try {
    // Routed datasets have no table under their bare name: the raw-table checks and the
    // differential run cover the unrouted ones, and routeIsolation treats each routed schema as
    // a tenant.
    const findings = await staticChecks(unroutedModel(parsed), connector, reference);
    let routedTenants: Record<string, string[]> = {};
    let differentialSkipped: string | null = null;
    let tenantAttribute: string | null = null;
    let tenants: readonly ReferenceValue[] = [];
    let queries = 0;
    if (findings.some((f) => BLOCKING.has(f.code))) {
      differentialSkipped = 'the model does not start on this warehouse (see the policy column findings)';
    } else {
      const model = await withWarehouseColumnTypes(parsed, connector);
      // Caching off: every generated query must reach the warehouse.
      const service = new QueryService({ model, connector, limits: { ...config.limits, resultCacheEntries: 0 } });
      if (schemaRoutedDatasets(model).length > 0 && connector instanceof RoutingConnector) {
        const routed = await routeIsolation(model, service, connector.catalog, reference, { tenants: options.tenants ?? 10 });
        findings.push(...routed.findings);
        routedTenants = routed.tenants;
        queries += routed.queries;
      }
      const result = await differentialRun(unroutedModel(model), service, reference, { tenants: options.tenants ?? 10, queries: options.queries ?? 50, ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      findings.push(...result.findings);
      tenantAttribute = result.tenantAttribute ?? null;
      tenants = result.tenants;
      queries += result.queries;
      if (result.tenantAttribute === undefined) {
        differentialSkipped = Object.keys(routedTenants).length > 0 ? 'no unrouted dataset draws a tenant boundary (routed datasets were checked schema by schema)' : 'no dataset draws a tenant boundary (column equals/in an attribute)';
      }
    }
    const violations = findings.filter((f) => f.severity === 'violation').length;
    return {
      ok: violations === 0,
      connector: connectorConfig.type,
      modelDir,
      tenantAttribute,
      tenants,
      routedTenants,
      queries,
      differentialSkipped,
      durationMs: Math.round(performance.now() - started),
      violations,
      warnings: findings.length - violations,
      findings,
    };
  } finally {
    await reference.close();
    await connector.close();
  }
}
