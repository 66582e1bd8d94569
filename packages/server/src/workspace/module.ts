import type { RouteModule } from '../http/route-module.js';
import { registerApiKeyRoutes } from './api-key-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerWorkspaceRoutes } from './workspace-routes.js';

/**
 * The route groups of a workspace's own credentials and settings, for `buildApp`: minting and
 * revoking embed tokens, API keys and the workspace (behind an API key), and the embed session
 * (behind embed-token verification).
 *
 * @example
 * ```ts
 * const modules = [...workspaceRouteModules(), ...queryRouteModules(service)];
 * ```
 */
export function workspaceRouteModules(): RouteModule[] {
  return [
    { kind: 'api-key', register: registerTokenRoutes },
    { kind: 'api-key', register: registerApiKeyRoutes },
    { kind: 'api-key', register: registerWorkspaceRoutes },
    { kind: 'embed', register: registerSessionRoutes },
  ];
}
