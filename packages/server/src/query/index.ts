export { QueryService, type QueryServiceOptions, type QueryLimits, type RunOptions, type CompiledAuditDetails, type QueryOutcome, type QueryAuditDetails, type DistinctValuesInput, type SavedDashboardLookup } from './query-service.js';
export { ResultCache, type ResultCacheOptions, type CachedValue } from './result-cache.js';
export { resultCacheKey } from './cache-key.js';
export { queryMetricsRegistry, queryCacheHits, queryCacheMisses } from './metrics.js';
export { resolveDashboardQuery, dashboardInScope, isDashboardForm, DashboardQuerySchema, type DashboardQuery } from './dashboard-query.js';
export { queryRouteModules } from './route-modules.js';
export { createQueryModule, type QueryModule } from './module.js';
