import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath, PerchError } from '@perch/protocol';

/**
 * Database-per-tenant routing (docs/model.md): the warehouse `url` is a template with
 * `{database}`, `database` fills it for everything that is not routed (and for catalog look-ups),
 * and each tenant database gets its own small pool, kept in a bounded LRU.
 */
const tenantRouting = {
  /** Fills `{database}` in the url for unrouted datasets and catalog look-ups. */
  database: z.string().min(1).max(64).optional(),
  tenantPools: z
    .strictObject({
      /** Tenant database pools open at most; the least recently used closes first. Default 20. */
      max: z.number().int().min(1).max(1000).optional(),
      /** A tenant pool unused this long closes. Default 60,000 ms. */
      idleMs: z.number().int().min(1000).max(86_400_000).optional(),
      /** Connections per tenant pool. Default 4. */
      size: z.number().int().min(1).max(200).optional(),
    })
    .optional(),
};

/** `{database}` in the url and `database` come together: one without the other is a mistake. */
function templateMatchesDatabase(warehouse: { url: string; database?: string | undefined }, ctx: z.core.$RefinementCtx): void {
  const template = warehouse.url.includes('{database}');
  if (template && warehouse.database === undefined) ctx.addIssue({ code: 'custom', path: ['database'], message: 'required when the url has {database}' });
  if (!template && warehouse.database !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'needs {database} where the database name goes when database is set' });
}

const WarehouseSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('duckdb'), path: z.string().min(1), demo: z.boolean().default(false), demoOrders: z.number().int().min(1000).default(1_000_000) }),
  z.strictObject({ type: z.literal('postgres'), url: z.string().min(1), poolSize: z.number().int().min(1).max(200).default(10), ...tenantRouting }).superRefine(templateMatchesDatabase),
  // MySQL 8 or MariaDB 10.6+ (`mysql://user:password@host:3306/database`); docs/connectors.md.
  z
    .strictObject({ type: z.literal('mysql'), url: z.string().regex(/^(mysql|mariadb):\/\//, 'a mysql:// URL'), poolSize: z.number().int().min(1).max(200).default(10), ...tenantRouting })
    .superRefine(templateMatchesDatabase),
]);

const DASHBOARD_LIMIT_DEFAULTS = { maxTiles: 50, maxSavedPerTenant: 500, maxDefinitionBytes: 262_144 };

const DashboardLimitsSchema = z.strictObject({
  /** Charts on one saved dashboard; more is 400 `too_many_tiles`. */
  maxTiles: z.number().int().min(1).max(100).default(DASHBOARD_LIMIT_DEFAULTS.maxTiles),
  /** Saved dashboards per tenant; creating one more is 409 `too_many_dashboards`. */
  maxSavedPerTenant: z.number().int().min(1).max(100_000).default(DASHBOARD_LIMIT_DEFAULTS.maxSavedPerTenant),
  /** Size of one definition as compact JSON (UTF-8 bytes); more is 413 `body_too_large`. */
  maxDefinitionBytes: z.number().int().min(1024).max(4_194_304).default(DASHBOARD_LIMIT_DEFAULTS.maxDefinitionBytes),
});

/** Every option of `perch.yaml`. Secrets are deliberately absent: they come only from the environment. */
export const PerchConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(4100),
  /**
   * Which proxies in front of Perch to believe about the client's address (`X-Forwarded-For`),
   * for rate limits and the audit trail's `ip`: `false` (default: the peer is the client),
   * `true` (any peer), or a comma-separated list of proxy addresses, CIDR ranges and the names
   * `loopback`, `linklocal` and `uniquelocal` (private ranges) (`PERCH_TRUST_PROXY`). While it
   * is `false`, the first request carrying `X-Forwarded-For` logs one warning naming it.
   */
  trustProxy: z.union([z.boolean(), z.string().refine(isProxyList, 'a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal')]).default(false),
  /** Embedded metadata store directory. */
  dataDir: z.string().default('.perch'),
  /** Semantic model directory (`*.yaml`). */
  modelDir: z.string().default('model'),
  /** Value of the `iss` claim of minted tokens. */
  issuer: z.string().min(1).default('perch'),
  /** Public base URL of this Perch, used in docs and the demo host. */
  publicUrl: z.string().optional(),
  warehouse: WarehouseSchema.default({ type: 'duckdb', path: '.perch/warehouse.duckdb', demo: true, demoOrders: 1_000_000 }),
  limits: z
    .strictObject({
      /** Largest `limit` a query may ask for; larger values are refused with `invalid_limit`. */
      maxRows: z.number().int().min(1).max(1_000_000).default(50_000),
      defaultRows: z.number().int().min(1).default(1_000),
      queryTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
      /** Requests per minute per API key. */
      apiKeyRatePerMinute: z.number().int().min(1).default(6_000),
      /** Requests per minute per embed token. */
      tokenRatePerMinute: z.number().int().min(1).default(6_000),
      /**
       * Refused API keys or embed tokens per minute per client address; beyond it, the address
       * gets 429 `rate_limited` on that route group until the minute is over, except for an
       * embed token already verified and cached or an API key already authenticated.
       */
      authFailuresPerMinute: z.number().int().min(1).default(300),
      resultCacheEntries: z.number().int().min(0).default(5_000),
      resultCacheTtlMs: z.number().int().min(0).default(60_000),
      /** Compiled queries remembered per (user, query); 0 compiles every request. */
      compileMemoEntries: z.number().int().min(0).max(1_000_000).default(1_000),
      bodyBytes: z.number().int().min(1024).max(10_485_760).default(262_144),
      /** Dashboards saved by makers (docs/embedding.md, "Maker dashboards"). */
      dashboards: DashboardLimitsSchema.default(DASHBOARD_LIMIT_DEFAULTS),
    })
    .default({
      maxRows: 50_000,
      defaultRows: 1_000,
      queryTimeoutMs: 30_000,
      apiKeyRatePerMinute: 6_000,
      tokenRatePerMinute: 6_000,
      authFailuresPerMinute: 300,
      resultCacheEntries: 5_000,
      resultCacheTtlMs: 60_000,
      compileMemoEntries: 1_000,
      bodyBytes: 262_144,
      dashboards: DASHBOARD_LIMIT_DEFAULTS,
    }),
  audit: z
    .strictObject({
      retentionDays: z.number().int().min(1).default(365),
      /** Longest an audit event waits for companions before its batch commits (0 = next tick). */
      batchMs: z.number().int().min(0).max(1000).default(0),
      batchSize: z.number().int().min(1).max(10_000).default(500),
      /**
       * Batches committing at once. Above 1, a batch may start while the one before it is still
       * committing. Unset: 2 on the embedded store (its worker thread commits while the main
       * thread prepares the next batch), 1 on PostgreSQL (measured faster with the server next
       * to Perch; raise it when the server is across a network and commits wait).
       */
      commitsInFlight: z.number().int().min(1).max(16).optional(),
    })
    .default({ retentionDays: 365, batchMs: 0, batchSize: 500 }),
  /** PostgreSQL schema of the metadata store when `DATABASE_URL` is set (`PERCH_DATABASE_SCHEMA`). */
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('public'),
  /** Replicas sharing one PostgreSQL store: how they follow each other's changes (see docs/deploy.md). */
  replication: z
    .strictObject({
      /** Round trip on the LISTEN connection that confirms freshness. */
      heartbeatMs: z.number().int().min(50).max(10_000).default(250),
      /** Full reload of revocations, keys and origins, the fallback to notices. */
      resyncMs: z.number().int().min(1_000).max(3_600_000).default(10_000),
      /** Embed requests get 503 `freshness_unknown` when freshness is unconfirmed for longer. */
      maxStalenessMs: z.number().int().min(200).max(60_000).default(2_000),
    })
    .default({ heartbeatMs: 250, resyncMs: 10_000, maxStalenessMs: 2_000 }),
  /** The assistant (`POST /v1/assistant/messages`). The LLM API key comes only from OPENAI_API_KEY / PERCH_LLM_API_KEY (or `llm.apiKeyEnv`). */
  assistant: z
    .strictObject({
      planner: z.enum(['builtin', 'llm']).default('builtin'),
      llm: z
        .strictObject({
          baseUrl: z.string().url(),
          model: z.string().min(1),
          /** Name of the environment variable holding the API key (never the key itself). */
          apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
          /** Send result rows to the model when it words answers. Off by default. */
          shareRowData: z.boolean().default(false),
          timeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
          /** Answer with the built-in planner (and say so) when the endpoint is unreachable or times out. */
          fallbackToBuiltin: z.boolean().default(true),
        })
        .optional(),
      maxQuestionChars: z.number().int().min(10).max(100_000).default(2_000),
      maxTurns: z.number().int().min(1).max(10_000).default(50),
      ratePerMinute: z.number().int().min(1).default(30),
    })
    .default({ planner: 'builtin', maxQuestionChars: 2_000, maxTurns: 50, ratePerMinute: 30 }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type PerchFileConfig = z.output<typeof PerchConfigSchema>;

export interface PerchSecrets {
  /** PostgreSQL URL of the metadata store; embedded store when unset. */
  databaseUrl: string | undefined;
  /** 32-byte key wrapping token keys at rest. */
  masterKey: string | undefined;
  /** Admin API key created on a fresh store (format checked). */
  bootstrapApiKey: string | undefined;
  redisUrl: string | undefined;
}

export interface PerchConfig extends PerchFileConfig {
  secrets: PerchSecrets;
  /** Directory relative paths are resolved against. */
  cwd: string;
}

/**
 * The configuration (perch.yaml, PERCH_* variables, overrides) is not valid: Perch does not start.
 * A `PerchError` of code `config_invalid`; its message names the file and the field for the
 * operator, and is only ever shown at start-up, never to a client.
 *
 * @example
 * ```ts
 * try { loadConfig() } catch (error) { if (error instanceof ConfigError) console.error(error.message) }
 * ```
 */
export class ConfigError extends PerchError {
  constructor(message: string) {
    super('config_invalid', { message });
  }
}

/**
 * Load `perch.yaml` (or the file named by `PERCH_CONFIG`), then apply environment overrides.
 *
 * @example
 * ```ts
 * const config = loadConfig({ env: process.env, cwd: process.cwd() });
 * config.port; // 4100 unless PERCH_PORT or perch.yaml says otherwise
 * ```
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; cwd?: string; overrides?: Record<string, unknown> } = {}): PerchConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = env.PERCH_CONFIG ? resolve(cwd, env.PERCH_CONFIG) : resolve(cwd, 'perch.yaml');
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: the top level must be a mapping`);
      raw = parsed as Record<string, unknown>;
    }
  } else if (env.PERCH_CONFIG) {
    throw new ConfigError(`PERCH_CONFIG names ${file}, which does not exist`);
  }
  raw = { ...raw, ...environmentOverrides(env), ...(options.overrides ?? {}) };
  const result = PerchConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${existsSync(file) ? file : 'configuration'}: ${issue ? `${formatPath(issue.path)}: ${issue.message}` : 'invalid'}`);
  }
  return {
    ...result.data,
    cwd,
    secrets: {
      databaseUrl: env.DATABASE_URL || undefined,
      masterKey: env.PERCH_MASTER_KEY || undefined,
      bootstrapApiKey: env.PERCH_BOOTSTRAP_API_KEY || undefined,
      redisUrl: env.REDIS_URL || undefined,
    },
  };
}

function environmentOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.PERCH_HOST) out.host = env.PERCH_HOST;
  if (env.PERCH_PORT) out.port = Number(env.PERCH_PORT);
  if (env.PERCH_TRUST_PROXY) out.trustProxy = trustProxyFromEnvironment(env.PERCH_TRUST_PROXY);
  if (env.PERCH_DATA_DIR) out.dataDir = env.PERCH_DATA_DIR;
  if (env.PERCH_MODEL_DIR) out.modelDir = env.PERCH_MODEL_DIR;
  if (env.PERCH_ISSUER) out.issuer = env.PERCH_ISSUER;
  if (env.PERCH_PUBLIC_URL) out.publicUrl = env.PERCH_PUBLIC_URL;
  if (env.PERCH_LOG_LEVEL) out.logLevel = env.PERCH_LOG_LEVEL;
  if (env.PERCH_DATABASE_SCHEMA) out.databaseSchema = env.PERCH_DATABASE_SCHEMA;
  if (env.PERCH_WAREHOUSE_URL) {
    out.warehouse = { type: warehouseTypeOfUrl(env.PERCH_WAREHOUSE_URL), url: env.PERCH_WAREHOUSE_URL, ...(env.PERCH_WAREHOUSE_DATABASE ? { database: env.PERCH_WAREHOUSE_DATABASE } : {}) };
  }
  else if (env.PERCH_WAREHOUSE_PATH) out.warehouse = { type: 'duckdb', path: env.PERCH_WAREHOUSE_PATH, demo: false };
  return out;
}

/** `PERCH_WAREHOUSE_URL`'s scheme picks the connector: `mysql://` (or `mariadb://`) is MySQL/MariaDB, anything else PostgreSQL. */
function warehouseTypeOfUrl(url: string): 'mysql' | 'postgres' {
  return /^(mysql|mariadb):\/\//i.test(url) ? 'mysql' : 'postgres';
}

/** `PERCH_TRUST_PROXY`: `true`/`false`, or addresses, ranges and names as written. */
function trustProxyFromEnvironment(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value;
}

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `10.0.0.1, 10.0.0.0/8, ::1, uniquelocal`: what Fastify's `trustProxy` takes as a string. */
function isProxyList(value: string): boolean {
  return value.split(',').every((item) => {
    const entry = item.trim();
    if (PROXY_RANGE_NAMES.has(entry)) return true;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
}
