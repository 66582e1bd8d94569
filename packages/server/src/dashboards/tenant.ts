import { PerchError, type EmbedTokenClaims } from '@perch/protocol';
import type { WorkspaceDirectory } from '../auth/workspace-directory.js';
import type { TenantKey } from './dashboard-store.js';

/** The attribute that names a tenant when the workspace does not configure one. */
export const DEFAULT_TENANT_ATTRIBUTE = 'customerId';

/**
 * The tenant a token belongs to, for scoping maker dashboards: the workspace and the canonical JSON
 * of the tenant attribute's value (so `"42"` and `42` are different tenants, compared byte-exact).
 * `undefined` when the token carries no usable tenant value: such a token sees no stored dashboards.
 *
 * @example
 * ```ts
 * tenantOf(claims, workspaces) // { workspaceId: 'default', tenantKey: '"acme"' }
 * ```
 */
export function tenantOf(claims: EmbedTokenClaims, workspaces: Pick<WorkspaceDirectory, 'get'>): TenantKey | undefined {
  const attribute = workspaces.get(claims.aud)?.settings.tenantAttribute ?? DEFAULT_TENANT_ATTRIBUTE;
  const value = Object.prototype.hasOwnProperty.call(claims.user.attributes, attribute) ? claims.user.attributes[attribute] : undefined;
  // Only a single scalar names one tenant; an array would let one token span several tenants.
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return { workspaceId: claims.aud, tenantKey: JSON.stringify(value) };
}

/** Like `tenantOf`, but a maker without a tenant value cannot save anything: 403 with the attribute's path. */
export function requireTenant(claims: EmbedTokenClaims, workspaces: Pick<WorkspaceDirectory, 'get'>): TenantKey {
  const tenant = tenantOf(claims, workspaces);
  if (!tenant) {
    const attribute = workspaces.get(claims.aud)?.settings.tenantAttribute ?? DEFAULT_TENANT_ATTRIBUTE;
    throw new PerchError('rls_attribute_missing', { path: `user.attributes.${attribute}`, message: `Saving dashboards needs a single ${attribute} attribute in the token.` });
  }
  return tenant;
}

/** Whether the token's dashboard scope names this id (or is `"*"`). */
export function inDashboardScope(claims: EmbedTokenClaims, id: string): boolean {
  const scope = claims.scope.dashboards;
  return scope === '*' || scope.includes(id);
}
