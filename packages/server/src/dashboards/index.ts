export { createDashboardModule, type DashboardModuleOptions } from './module.js';
export { DashboardDirectory, type DashboardDirectoryOptions, type DashboardSummary, type SavedDashboard } from './dashboard-directory.js';
export { DashboardStore, type DashboardsTable, type StoredDashboardRow, type TenantKey } from './dashboard-store.js';
export { presentDashboard, type DashboardView, type DashboardChartView, type ViewOptions } from './dashboard-view.js';
export { tenantOf, requireTenant, inDashboardScope, DEFAULT_TENANT_ATTRIBUTE } from './tenant.js';
export { csvStream, exportFileName } from './csv-export.js';
