export { generateDemoWarehouse, readDemoMeta, type DemoWarehouseSummary, type GenerateDemoOptions } from './generate-warehouse.js';
export { loadDemoIntoPostgres, type DemoLoadSummary, type LoadDemoIntoPostgresOptions } from './load-postgres.js';
export { loadDemoIntoMysql, mysqlTableDdl, type LoadDemoIntoMysqlOptions } from './load-mysql.js';
export type { DemoProgress, ProgressListener } from './progress.js';
export * from './demo-schema.js';
export { runDemoCli } from './cli.js';
