/**
 * Tenant routing: the RLS-like transform step that binds a routed table to the tenant's schema or
 * database, from a token attribute. It runs where RLS binds attributes (secure-plan.ts), so no
 * plan reaches a compiler with an unbound route.
 *
 * The value is only ever an identifier: a schema ends up quoted by the dialect's compiler
 * (`"tenant_a"."orders"`), a database selects a connection pool. It is never spliced into SQL, and
 * before it is used it must be a string, match the model's anchored pattern exactly (no case
 * folding, no Unicode normalisation: look-alikes fail), fit the dialect's identifier length and
 * carry no NUL. The server then checks that it exists in the warehouse's catalog.
 */
import { PerchError, type EmbedUser } from '@perch/protocol';
import { requireAttribute } from './rls.js';
import { anchoredRoutePattern } from './model/route-pattern.js';
import type { DialectName, QueryRoute } from './governed.js';
import type { TableRoute } from './model/types.js';

/** Identifier length limits in bytes: PostgreSQL truncates beyond 63 (NAMEDATALEN - 1), MySQL refuses beyond 64. */
const MAX_IDENTIFIER_BYTES: Record<DialectName, number> = { postgres: 63, mysql: 64, duckdb: 63 };

const utf8 = new TextEncoder();

/**
 * The tenant's schema or database for `user`, validated against the route's pattern.
 *
 * @example
 * ```ts
 * bindRoute({ kind: 'schema', attribute: 'tenantSchema', pattern: '^tenant_[a-z]+$', reference: 'tenant_template' },
 *   { distinctId: 'u', role: 'viewer', attributes: { tenantSchema: 'tenant_acme' } }, 'postgres')
 * // { schema: 'tenant_acme' }
 * ```
 * @throws PerchError `rls_attribute_missing` (no attribute: default deny) or `tenant_route_invalid`,
 *   both with path `attributes.<name>`.
 */
export function bindRoute(route: TableRoute, user: EmbedUser, dialect: DialectName): QueryRoute {
  const value = requireAttribute(user, route.attribute);
  const invalid = (): PerchError =>
    new PerchError('tenant_route_invalid', {
      path: `attributes.${route.attribute}`,
      message: `The attribute "${route.attribute}" does not name a tenant ${route.kind}.`,
    });
  if (typeof value !== 'string') throw invalid();
  if (value.includes('\u0000') || utf8.encode(value).length > MAX_IDENTIFIER_BYTES[dialect]) throw invalid();
  if (!anchoredRoutePattern(route.pattern).test(value)) throw invalid();
  return route.kind === 'schema' ? Object.freeze({ schema: value }) : Object.freeze({ database: value });
}

/**
 * The route of the startup column probe: the model's reference schema or database.
 *
 * @example
 * ```ts
 * referenceRoute({ kind: 'schema', attribute: 'tenantSchema', pattern: '^tenant_[a-z]+$', reference: 'tenant_template' })
 * // { schema: 'tenant_template' }
 * ```
 */
export function referenceRoute(route: TableRoute): QueryRoute {
  return route.kind === 'schema' ? Object.freeze({ schema: route.reference }) : Object.freeze({ database: route.reference });
}

/**
 * The name a route points at.
 *
 * @example
 * ```ts
 * routeName({ schema: 'tenant_a' })   // 'tenant_a'
 * routeName({ database: 'tenant_b' }) // 'tenant_b'
 * ```
 */
export function routeName(route: QueryRoute): string {
  return 'schema' in route ? route.schema : route.database;
}
