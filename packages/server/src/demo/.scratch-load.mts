import { loadDemoIntoPostgres } from './load-postgres.ts';
const t0 = Date.now();
console.log(await loadDemoIntoPostgres({ url: 'postgres://postgres@127.0.0.1:5432/test', schema: 'perch_scratch_demo', sourcePath: '/tmp/perch-conn-scratch/demo.duckdb' }), Date.now() - t0);
