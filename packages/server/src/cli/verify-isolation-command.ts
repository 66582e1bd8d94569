import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ModelValidationError } from '@perch/engine';
import { loadConfig } from '../config.js';
import { verifyIsolation, type IsolationReport } from '../verify/verify-isolation.js';

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`${name} must be a whole number from 1 to 100000`);
  return n;
}

function printReport(report: IsolationReport): void {
  for (const f of report.findings) {
    const where = f.file ? `${f.file}: ${f.path}: ` : f.dataset ? `dataset ${f.dataset}: ` : '';
    console.log(`${f.severity === 'violation' ? 'VIOLATION' : 'warning'} ${f.code}: ${where}${f.message}`);
    if (f.tenant !== undefined) console.log(`  tenant: ${JSON.stringify(f.tenant)}`);
    if (f.query !== undefined) console.log(`  query: ${JSON.stringify(f.query)}`);
    if (f.values !== undefined) console.log(`  values: ${JSON.stringify(f.values)}`);
  }
  for (const [dataset, schemas] of Object.entries(report.routedTenants)) console.log(`Routed dataset ${dataset}: ${schemas.length} tenant schemas checked (${schemas.join(', ')})`);
  if (report.differentialSkipped) console.log(`Differential run skipped: ${report.differentialSkipped}.`);
  console.log(
    `${report.ok ? 'Isolation holds' : 'Isolation VIOLATED'}: ${report.tenants.length} tenants (${report.tenantAttribute ?? 'no tenant attribute'}), ${report.queries} governed queries compared with reference SQL on ${report.connector}, ${report.violations} violation(s), ${report.warnings} warning(s), ${(report.durationMs / 1000).toFixed(1)} s`,
  );
}

/**
 * `perch verify-isolation [--tenants N] [--queries M] [--json report.json]`: run the isolation
 * checks on the configured model and warehouse. Exit code 0 when isolation holds, 1 on any
 * violation, so a CI job can run it on every model change.
 */
export function registerVerifyIsolationCommand(program: Command): void {
  program
    .command('verify-isolation')
    .description('prove tenant isolation on the configured model and warehouse (exit 1 on any violation)')
    .option('--tenants <n>', 'real tenant values to sample from the warehouse', '10')
    .option('--queries <m>', 'generated governed queries per tenant', '50')
    .option('--seed <s>', 'seed of the query generator', '1')
    .option('--json <file>', 'also write the full report as JSON')
    .action(async (opts: { tenants: string; queries: string; seed: string; json?: string }) => {
      const config = loadConfig();
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'Verifying isolation [{bar}] {percentage}% | {value}/{total} queries', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
      let started = false;
      try {
        const report = await verifyIsolation(config, {
          tenants: positive('--tenants', opts.tenants),
          queries: positive('--queries', opts.queries),
          seed: positive('--seed', opts.seed),
          onProgress: (done, total) => {
            if (!started) bar?.start(total, 0);
            started = true;
            bar?.update(done);
          },
        });
        bar?.stop();
        printReport(report);
        if (opts.json) writeFileSync(resolve(config.cwd, opts.json), `${JSON.stringify(report, null, 2)}\n`);
        process.exitCode = report.ok ? 0 : 1;
      } catch (error) {
        bar?.stop();
        if (!(error instanceof ModelValidationError)) throw error;
        for (const issue of error.issues) console.error(`${issue.file}: ${issue.path}: ${issue.message}`);
        process.exitCode = 1;
      }
    });
}
