export { CHANGE_CHANNEL, MIRRORED_TABLES, parseChangeNotice, type ChangeNotice, type MirroredTable } from './change-notice.js';
export { Freshness } from './freshness.js';
export { ReplicaSync, type MirroredState, type ReplicaSyncOptions } from './replica-sync.js';
export { startReplication, type Replication, type ReplicationSettings } from './replication.js';
export { observePool, observeStaleness } from './replication-metrics.js';
export { isStoreConnectionError } from './store-errors.js';
export { createRateLimitRedis } from './shared-rate-limit.js';
