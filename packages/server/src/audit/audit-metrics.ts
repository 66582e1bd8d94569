import { Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics.js';

const batchSize = new Histogram({
  name: 'perch_audit_batch_size',
  help: 'Events committed per audit transaction (group commit)',
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  registers: [metricsRegistry],
});

const commitSeconds = new Histogram({
  name: 'perch_audit_commit_seconds',
  help: 'Duration of one audit group-commit transaction',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metricsRegistry],
});

const lagSeconds = new Histogram({
  name: 'perch_audit_lag_seconds',
  help: 'Time from record() of the oldest event in a batch to its durable commit (what a request waits for at most)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metricsRegistry],
});

export function observeAuditCommit(events: number, commitMs: number, lagMs: number): void {
  batchSize.observe(events);
  commitSeconds.observe(commitMs / 1000);
  lagSeconds.observe(lagMs / 1000);
}
