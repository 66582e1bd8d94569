/**
 * Identity propagation: how fast Perch mints embed tokens over HTTP and verifies them in
 * process, against the floors that bound them (a bare Fastify route, raw `jose` decryption).
 */
import { createHash, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, type JWTDecryptOptions } from 'jose';
import { CLOCK_SKEW_SECONDS } from '@perch/protocol';
import { mintEmbedToken } from '../packages/server/src/auth/token-mint.js';
import type { RunningPerch } from '../packages/server/src/server.js';
import type { AuditEventInput } from '../packages/server/src/audit/audit-event.js';
import { runAutocannon, type HttpFigures } from './lib/autocannon-runner.js';
import { startBareRoute } from './lib/bare-route.js';
import { startBenchPerch, type BenchPerch } from './lib/perch-instance.js';
import { callsNeeded, microBench, type MicroBenchOptions, type MicroBenchResult } from './lib/micro-bench.js';
import { formatDuration, formatInteger, formatMicros, formatMillis, formatPercent, formatRatio } from './lib/format.js';
import type { BenchOptions, BenchReport } from './lib/types.js';

const MINT_BODY = JSON.stringify({
  user: { distinctId: 'bench-user', role: 'viewer', attributes: { customerId: 'acme', region: ['emea', 'apac'] } },
  scope: { dashboards: ['sales'] },
});

/**
 * The targets, in one place so the report and the checks cannot drift apart. Minting is judged
 * against the jose EncryptJWT ceiling measured in the same run (the call every mint must make),
 * not against a bare route returning a constant (that target is retired).
 */
const TARGETS = { mintShareOfJose: 0.15, cachedVerifyNs: 5_000, coldOverJose: 2 } as const;

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const figures = await measure(options);

  const mintShare = figures.mint.requestsPerSecond / figures.bare.requestsPerSecond;
  const mintShareOfJose = figures.mint.requestsPerSecond / figures.joseEncryptPerSecond;
  const coldOverJose = figures.cold.nsPerOp / figures.jose.nsPerOp;
  const httpRow = (label: string, f: HttpFigures, share: string) => [
    label,
    formatInteger(f.requestsPerSecond),
    formatMillis(f.p50Ms),
    formatMillis(f.p975Ms),
    formatMillis(f.p99Ms),
    formatInteger(f.non2xx),
    share,
  ];
  const localRow = (label: string, r: MicroBenchResult, relative: string) => [label, formatDuration(r.nsPerOp), formatInteger(r.opsPerSecond), relative];

  return {
    title: 'tokens: identity propagation',
    tables: [
      {
        caption: `HTTP on loopback (autocannon, ${options.connections} connections, ${options.durationSeconds} s each after a 2 s warm-up)`,
        headers: ['scenario', 'req/s', 'p50', 'p97.5', 'p99', 'non-2xx', 'of bare route'],
        rows: [
          httpRow('bare Fastify route, constant (floor)', figures.bare, '100.0%'),
          httpRow('POST /v1/embed/tokens (mint, audited)', figures.mint, formatPercent(mintShare)),
          httpRow('  same, audit trail off (attribution only)', figures.mintNoAudit, formatPercent(figures.mintNoAudit.requestsPerSecond / figures.bare.requestsPerSecond)),
          [
            `ceiling: raw jose EncryptJWT alone, in process, ${options.connections} in flight (no HTTP, no Perch)`,
            formatInteger(figures.joseEncryptPerSecond),
            '—',
            '—',
            '—',
            '—',
            formatPercent(figures.joseEncryptPerSecond / figures.bare.requestsPerSecond),
          ],
        ],
      },
      {
        caption: `In process (median of ${options.rounds} rounds)`,
        headers: ['operation', 'per op', 'ops/s', 'relative'],
        rows: [
          localRow('raw jose jwtDecrypt (floor for cold)', figures.jose, '1.00× jose'),
          localRow('verify, cold (new token each call)', figures.cold, `${formatRatio(coldOverJose)} jose`),
          localRow('verify, cached (same token)', figures.cached, `${formatRatio(figures.cached.nsPerOp / figures.jose.nsPerOp)} jose`),
          localRow('audit trail: one event in its own commit', figures.auditCommit, `${formatRatio(figures.auditCommit.nsPerOp / figures.jose.nsPerOp)} jose`),
          localRow('yardstick: node:crypto SHA-256 of one token', figures.calibration, `${formatRatio(figures.calibration.nsPerOp / figures.jose.nsPerOp)} jose`),
        ],
      },
    ],
    targets: [
      { name: `HTTP minting (audited) ≥ ${formatPercent(TARGETS.mintShareOfJose)} of the jose EncryptJWT ceiling`, measured: formatPercent(mintShareOfJose), pass: mintShareOfJose >= TARGETS.mintShareOfJose },
      { name: `cached verification ≤ ${formatMicros(TARGETS.cachedVerifyNs)}`, measured: formatMicros(figures.cached.nsPerOp), pass: figures.cached.nsPerOp <= TARGETS.cachedVerifyNs },
      { name: `cold verification ≤ ${TARGETS.coldOverJose}× raw jose jwtDecrypt`, measured: formatRatio(coldOverJose), pass: coldOverJose <= TARGETS.coldOverJose },
    ],
    notes: [
      'Minting: valid body, admin API key, per-key rate limit raised for the run; every mint writes its audit event durably before the response (group commit), as in production.',
      'The "audit trail off" row uses a no-op sink on a second instance only to show what the trail costs; it is not a supported configuration.',
      'Cold: every call verifies a token never seen before, from a pool minted in process, so each one is decrypted and its claims checked. Cached: the same token every call (revocation and origin checks still run).',
      'Raw jose: `jwtDecrypt` with the same key, algorithms, issuer, audience and required claims, on the same token pool.',
      'The jose ceiling: the same EncryptJWT call a mint makes (dir + A256GCM, the same claims shape, an imported CryptoKey), run back to back in this process with nothing else, measured right after the bare route. Every mint must make this call, so minting over HTTP cannot exceed that share of the bare route on this machine, whatever the rest of Perch costs.',
      'The audit-commit row is the durable write every audited request waits for; at c connections it caps audited throughput near c ÷ (commit time), whatever the route does.',
      `The SHA-256 yardstick is not a target: it shows how fast this machine was during the run (on an idle modern core it takes about 1 µs). Cached verification took ${formatRatio(figures.cached.nsPerOp / figures.calibration.nsPerOp)} the yardstick in this run (an estimate for other machines, not a result).`,
      'Latency comes from autocannon in whole milliseconds; "< 1 ms" means below its resolution.',
    ],
  };
}

const CONFIG = { limits: { apiKeyRatePerMinute: 1_000_000_000 } };

interface Figures {
  bare: HttpFigures;
  /** Raw jose EncryptJWT per second with `connections` calls in flight, in process. */
  joseEncryptPerSecond: number;
  mint: HttpFigures;
  mintNoAudit: HttpFigures;
  calibration: MicroBenchResult;
  jose: MicroBenchResult;
  cold: MicroBenchResult;
  cached: MicroBenchResult;
  auditCommit: MicroBenchResult;
}

/** Every figure, measured one after another so no two scenarios compete for the CPU. */
async function measure(options: BenchOptions): Promise<Figures> {
  const load = { method: 'POST' as const, body: MINT_BODY, connections: options.connections, durationSeconds: options.durationSeconds };
  const mintLoad = (instance: BenchPerch) => ({
    ...load,
    url: `${instance.url}/v1/embed/tokens`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${instance.adminKey}` },
  });

  const bareRoute = await startBareRoute();
  let bare: HttpFigures;
  try {
    options.log('HTTP: bare Fastify route');
    bare = await runAutocannon({ ...load, url: `${bareRoute.url}/v1/embed/tokens`, headers: { 'content-type': 'application/json' } });
  } finally {
    await bareRoute.close();
  }
  options.log('in process: raw jose EncryptJWT throughput (the ceiling for minting)');
  const joseEncryptPerSecond = await joseEncryptThroughput(options.connections, Math.max(3, Math.round(options.durationSeconds / 2)));

  const perch = await startBenchPerch({ config: CONFIG });
  let local: Omit<Figures, 'bare' | 'joseEncryptPerSecond' | 'mint' | 'mintNoAudit'>;
  let mint: HttpFigures;
  try {
    options.log('HTTP: POST /v1/embed/tokens');
    mint = await runAutocannon(mintLoad(perch));
    local = { ...(await measureVerification(perch.perch, options)), auditCommit: await measureAuditCommit(perch.perch, options) };
  } finally {
    await perch.close();
  }

  const unaudited = await startBenchPerch({ config: CONFIG, audit: 'noop' });
  let mintNoAudit: HttpFigures;
  try {
    options.log('HTTP: POST /v1/embed/tokens, audit trail off (attribution only)');
    mintNoAudit = await runAutocannon(mintLoad(unaudited));
  } finally {
    await unaudited.close();
  }
  return { bare, joseEncryptPerSecond, mint, mintNoAudit, ...local };
}

/**
 * EncryptJWT calls per second, as a mint makes them, with `inFlight` concurrent callers for
 * `seconds` (after a short warm-up): what jose alone can do on this machine.
 */
async function joseEncryptThroughput(inFlight: number, seconds: number): Promise<number> {
  const key = await webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'AES-GCM' }, false, ['encrypt']);
  const claims = {
    iss: 'perch',
    aud: 'default',
    sub: 'bench-user',
    env: 'test',
    kid_api: 'key_bench',
    user: { distinctId: 'bench-user', role: 'viewer', attributes: { customerId: 'acme', region: ['emea', 'apac'] } },
    scope: { dashboards: ['sales'], assistant: false },
  };
  const encryptOne = () =>
    new EncryptJWT({ ...claims, jti: randomUUID() }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'tk_bench' }).setIssuedAt().setNotBefore('0s').setExpirationTime('10m').encrypt(key);
  const runFor = async (ms: number) => {
    const deadline = performance.now() + ms;
    let done = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < deadline) {
          await encryptOne();
          done += 1;
        }
      }),
    );
    return done;
  };
  await runFor(1_000);
  const started = performance.now();
  const done = await runFor(seconds * 1_000);
  return done / ((performance.now() - started) / 1_000);
}

async function measureVerification(perch: RunningPerch, options: BenchOptions): Promise<Pick<Figures, 'calibration' | 'jose' | 'cold' | 'cached'>> {
  const { ctx } = perch;
  const coldPlan: MicroBenchOptions = { warmupIterations: 500, iterations: 1_000, rounds: options.rounds };
  options.log(`in process: minting a pool of ${callsNeeded(coldPlan)} tokens`);
  const pool = await mintPool(perch, callsNeeded(coldPlan));
  const key = ctx.keyring.activeKey('default');
  if (!key) throw new Error('the default workspace has no active token key');
  const [hot] = pool;
  if (hot === undefined) throw new Error('empty token pool');

  // A yardstick for the machine, not a target: how long node:crypto takes to hash one token.
  const calibration = await microBench(() => createHash('sha256').update(hot).digest(), { warmupIterations: 5_000, iterations: 20_000, rounds: options.rounds });

  // The very options TokenVerifier passes to jose, so the floor does the same cryptographic
  // and claim work and the ratio isolates Perch's own checks.
  const joseOptions: JWTDecryptOptions = {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
    issuer: ctx.config.issuer,
    audience: 'default',
    clockTolerance: CLOCK_SKEW_SECONDS,
    requiredClaims: ['iss', 'aud', 'sub', 'jti', 'iat', 'nbf', 'exp'],
  };
  options.log('in process: raw jose jwtDecrypt');
  const jose = await microBench((call) => jwtDecrypt(pool[call] as string, key.key, joseOptions), coldPlan);

  const verify = (token: string) => ctx.verifier.verify({ authorization: `Bearer ${token}`, url: '/v1/embed/session', origin: undefined });
  let coldHits = 0;
  options.log('in process: cold verification');
  const cold = await microBench(async (call) => {
    if ((await verify(pool[call] as string)).cached) coldHits++;
  }, coldPlan);
  // Guard the method: a cold figure answered from the cache would be meaningless.
  if (coldHits > 0) throw new Error(`cold verification hit the cache ${coldHits} times`);

  if (!(await verify(hot)).cached) throw new Error('a verified token was not cached');
  let cachedMisses = 0;
  options.log('in process: cached verification');
  const cached = await microBench(
    async () => {
      if (!(await verify(hot)).cached) cachedMisses++;
    },
    { warmupIterations: 5_000, iterations: 20_000, rounds: options.rounds },
  );
  if (cachedMisses > 0) throw new Error(`cached verification missed the cache ${cachedMisses} times`);
  return { calibration, jose, cold, cached };
}

/**
 * One mint-shaped audit event recorded alone, so it commits in a transaction of its own: the
 * latency every audited request waits for at least once. With c concurrent requests, a trail
 * whose commit takes T ms cannot acknowledge more than about c / T events per millisecond.
 */
async function measureAuditCommit(perch: RunningPerch, options: BenchOptions): Promise<MicroBenchResult> {
  options.log('in process: one audit event per commit');
  const event: AuditEventInput = {
    workspace: 'default',
    action: 'token.mint',
    outcome: 'success',
    resource: 'token:bench',
    distinctId: 'bench-user',
    role: 'viewer',
    env: 'test',
    apiKeyId: 'bench',
    requestId: 'req_bench',
    details: { scope: { dashboards: ['sales'], assistant: false }, ttlSeconds: 600, origins: null },
    attributes: { customerId: 'acme', region: ['emea', 'apac'] },
  };
  return microBench(() => perch.ctx.audit.record(event), { warmupIterations: 5, iterations: 20, rounds: options.rounds });
}

/** Distinct valid tokens, minted in process by the same function the route uses. */
async function mintPool(perch: RunningPerch, size: number): Promise<string[]> {
  const { ctx } = perch;
  const body: unknown = JSON.parse(MINT_BODY);
  const tokens: string[] = [];
  for (let i = 0; i < size; i++) {
    const minted = await mintEmbedToken(ctx.keyring, ctx.clock, { workspaceId: 'default', issuer: ctx.config.issuer, apiKeyId: 'bench', env: 'test' }, body);
    tokens.push(minted.token);
  }
  return tokens;
}
