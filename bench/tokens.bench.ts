/**
 * Identity propagation: how fast Perch mints embed tokens over HTTP and verifies them in
 * process, against the floors that bound them (a bare Fastify route, raw `jose` decryption).
 */
import { jwtDecrypt, type JWTDecryptOptions } from 'jose';
import { CLOCK_SKEW_SECONDS } from '@perch/protocol';
import { mintEmbedToken } from '../packages/server/src/auth/token-mint.js';
import type { RunningPerch } from '../packages/server/src/server.js';
import { runAutocannon, type HttpFigures } from './lib/autocannon-runner.js';
import { startBareRoute } from './lib/bare-route.js';
import { startBenchPerch } from './lib/perch-instance.js';
import { callsNeeded, microBench, type MicroBenchOptions, type MicroBenchResult } from './lib/micro-bench.js';
import { formatInteger, formatMicros, formatMillis, formatPercent, formatRatio } from './lib/format.js';
import type { BenchOptions, BenchReport } from './lib/types.js';

const MINT_BODY = JSON.stringify({
  user: { distinctId: 'bench-user', role: 'viewer', attributes: { customerId: 'acme', region: ['emea', 'apac'] } },
  scope: { dashboards: ['sales'] },
});

/** The targets, in one place so the report and the checks cannot drift apart. */
const TARGETS = { mintShareOfBare: 0.5, cachedVerifyNs: 5_000, coldOverJose: 2 } as const;

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const http = await measureHttp(options);
  const local = await measureVerification(options);

  const mintShare = http.mint.requestsPerSecond / http.bare.requestsPerSecond;
  const coldOverJose = local.cold.nsPerOp / local.jose.nsPerOp;
  const httpRow = (label: string, f: HttpFigures, share: string) => [
    label,
    formatInteger(f.requestsPerSecond),
    formatMillis(f.p50Ms),
    formatMillis(f.p975Ms),
    formatMillis(f.p99Ms),
    formatInteger(f.non2xx),
    share,
  ];
  const localRow = (label: string, r: MicroBenchResult, relative: string) => [label, formatMicros(r.nsPerOp), formatInteger(r.opsPerSecond), relative];

  return {
    title: 'tokens: identity propagation',
    tables: [
      {
        caption: `HTTP on loopback (autocannon, ${options.connections} connections, ${options.durationSeconds} s each after a 2 s warm-up)`,
        headers: ['scenario', 'req/s', 'p50', 'p97.5', 'p99', 'non-2xx', 'of bare route'],
        rows: [
          httpRow('bare Fastify route, constant (floor)', http.bare, '100.0%'),
          httpRow('POST /v1/embed/tokens (mint, audited)', http.mint, formatPercent(mintShare)),
          httpRow('  same, audit trail off (attribution only)', http.mintNoAudit, formatPercent(http.mintNoAudit.requestsPerSecond / http.bare.requestsPerSecond)),
        ],
      },
      {
        caption: `In process (median of ${options.rounds} rounds)`,
        headers: ['operation', 'per op', 'ops/s', 'relative'],
        rows: [
          localRow('raw jose jwtDecrypt (floor for cold)', local.jose, '1.00× jose'),
          localRow('verify, cold (new token each call)', local.cold, `${formatRatio(coldOverJose)} jose`),
          localRow('verify, cached (same token)', local.cached, `${formatRatio(local.cached.nsPerOp / local.jose.nsPerOp)} jose`),
        ],
      },
    ],
    targets: [
      { name: `HTTP minting ≥ ${formatPercent(TARGETS.mintShareOfBare)} of bare-route throughput`, measured: formatPercent(mintShare), pass: mintShare >= TARGETS.mintShareOfBare },
      { name: `cached verification ≤ ${formatMicros(TARGETS.cachedVerifyNs)}`, measured: formatMicros(local.cached.nsPerOp), pass: local.cached.nsPerOp <= TARGETS.cachedVerifyNs },
      { name: `cold verification ≤ ${TARGETS.coldOverJose}× raw jose jwtDecrypt`, measured: formatRatio(coldOverJose), pass: coldOverJose <= TARGETS.coldOverJose },
    ],
    notes: [
      'Minting: valid body, admin API key, per-key rate limit raised for the run; every mint writes its audit event durably before the response (group commit), as in production.',
      'The "audit trail off" row uses a no-op sink on a second instance only to show what the trail costs; it is not a supported configuration.',
      'Cold: every call verifies a token never seen before, from a pool minted in process, so each one is decrypted and its claims checked. Cached: the same token every call (revocation and origin checks still run).',
      'Raw jose: `jwtDecrypt` with the same key, algorithms, issuer, audience and required claims, on the same token pool.',
      'Latency comes from autocannon in whole milliseconds; "< 1 ms" means below its resolution.',
    ],
  };
}

async function measureHttp(options: BenchOptions): Promise<{ bare: HttpFigures; mint: HttpFigures; mintNoAudit: HttpFigures }> {
  const load = { method: 'POST' as const, body: MINT_BODY, connections: options.connections, durationSeconds: options.durationSeconds };
  const config = { limits: { apiKeyRatePerMinute: 1_000_000_000 } };

  const bareRoute = await startBareRoute();
  let bare: HttpFigures;
  try {
    options.log('HTTP: bare Fastify route');
    bare = await runAutocannon({ ...load, url: `${bareRoute.url}/v1/embed/tokens`, headers: { 'content-type': 'application/json' } });
  } finally {
    await bareRoute.close();
  }

  const measureMint = async (audit: 'trail' | 'noop'): Promise<HttpFigures> => {
    const instance = await startBenchPerch({ config, audit });
    try {
      options.log(`HTTP: POST /v1/embed/tokens (audit ${audit})`);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${instance.adminKey}` };
      return await runAutocannon({ ...load, url: `${instance.url}/v1/embed/tokens`, headers });
    } finally {
      await instance.close();
    }
  };
  const mint = await measureMint('trail');
  const mintNoAudit = await measureMint('noop');
  return { bare, mint, mintNoAudit };
}

async function measureVerification(options: BenchOptions): Promise<{ jose: MicroBenchResult; cold: MicroBenchResult; cached: MicroBenchResult }> {
  const instance = await startBenchPerch();
  try {
    const { ctx } = instance.perch;
    const coldPlan: MicroBenchOptions = { warmupIterations: 500, iterations: 1_000, rounds: options.rounds };
    options.log(`in process: minting a pool of ${callsNeeded(coldPlan)} tokens`);
    const pool = await mintPool(instance.perch, callsNeeded(coldPlan));
    const key = ctx.keyring.activeKey('default');
    if (!key) throw new Error('the default workspace has no active token key');

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

    const [hot] = pool;
    if (hot === undefined || !(await verify(hot)).cached) throw new Error('a verified token was not cached');
    let cachedMisses = 0;
    options.log('in process: cached verification');
    const cached = await microBench(
      async () => {
        if (!(await verify(hot)).cached) cachedMisses++;
      },
      { warmupIterations: 5_000, iterations: 20_000, rounds: options.rounds },
    );
    if (cachedMisses > 0) throw new Error(`cached verification missed the cache ${cachedMisses} times`);
    return { jose, cold, cached };
  } finally {
    await instance.close();
  }
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
