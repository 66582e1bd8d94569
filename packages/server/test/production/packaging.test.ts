import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderTemplate } from './helm-render.js';

const ROOT = process.cwd();
const CHART = join(ROOT, 'deploy/helm/perch');

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field below

function renderChart(overrides: Record<string, unknown> = {}): Manifest[] {
  const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  const values = { ...(parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>), ...overrides };
  const root = { Values: values, Release: { Name: 'perch-prod', Namespace: 'default' }, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion } };
  const manifests: Manifest[] = [];
  for (const file of readdirSync(join(CHART, 'templates')).filter((f) => f.endsWith('.yaml')).sort()) {
    const rendered = renderTemplate(readFileSync(join(CHART, 'templates', file), 'utf8'), root);
    for (const doc of parseAllDocuments(rendered)) {
      expect(doc.errors, `${file}: ${doc.errors.map((e) => e.message).join('; ')}`).toEqual([]);
      const value = doc.toJS() as Manifest | null;
      if (value) manifests.push(value);
    }
  }
  return manifests;
}

const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  Service: 'v1',
  Ingress: 'networking.k8s.io/v1',
  ConfigMap: 'v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
};

describe('Helm chart deploy/helm/perch', () => {
  const manifests = renderChart();
  const byKind = (kind: string) => manifests.find((m) => m.kind === kind)!;

  it('renders every expected kind with its apiVersion and a name', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(Object.keys(API_VERSIONS).sort());
    for (const m of manifests) {
      expect(m.apiVersion, m.kind).toBe(API_VERSIONS[m.kind]);
      expect(m.metadata.name).toMatch(/^perch-prod/);
    }
  });

  it('the Deployment runs replicas as non-root on a read-only root filesystem, with probes and resources', () => {
    const deployment = byKind('Deployment');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.requests).toEqual({ cpu: '500m', memory: '512Mi' });
    expect(container.resources.limits.memory).toBe('1Gi');
    // Writable /tmp is the only writable path; the model comes from the ConfigMap.
    expect(container.volumeMounts.map((v: Manifest) => v.mountPath).sort()).toEqual(['/app/model', '/tmp']);
    expect(pod.volumes.find((v: Manifest) => v.name === 'model').configMap.name).toBe(byKind('ConfigMap').metadata.name);
  });

  it('secrets come only from Secret references, never from values', () => {
    const env = byKind('Deployment').spec.template.spec.containers[0].env as Manifest[];
    for (const name of ['DATABASE_URL', 'PERCH_MASTER_KEY', 'PERCH_WAREHOUSE_URL', 'REDIS_URL', 'PERCH_BOOTSTRAP_API_KEY']) {
      const entry = env.find((e) => e.name === name)!;
      expect(entry.value, name).toBeUndefined();
      expect(entry.valueFrom.secretKeyRef).toMatchObject({ name: 'perch-secrets', key: name });
    }
    expect(env.find((e) => e.name === 'PERCH_PUBLIC_URL')?.value).toBe('https://perch.example.com');
    // Behind the ingress, the client's address comes from X-Forwarded-For (rate limits, audit ip).
    expect(env.find((e) => e.name === 'PERCH_TRUST_PROXY')?.value).toBe('uniquelocal');
  });

  it('Service, HPA and PDB select exactly the Deployment pods', () => {
    const deployment = byKind('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(podLabels);
    expect(byKind('Service').spec.selector).toEqual(podLabels);
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(podLabels);
    expect(byKind('PodDisruptionBudget').spec.minAvailable).toBe(1);
    const hpa = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
  });

  it('the Ingress terminates TLS and routes to the Service; the ConfigMap carries the model', () => {
    const ingress = byKind('Ingress');
    expect(ingress.spec.tls[0]).toEqual({ hosts: ['perch.example.com'], secretName: 'perch-tls' });
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(byKind('Service').metadata.name);
    const model = parse(byKind('ConfigMap').data['example.yaml']) as Manifest;
    expect(model.datasets.orders.rowLevelSecurity).toBeDefined();
  });

  it('the Ingress can be turned off, and unsupported syntax is refused rather than mis-rendered', () => {
    const ingress = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')).ingress as Manifest;
    expect(renderChart({ ingress: { ...ingress, enabled: false } }).map((m) => m.kind)).not.toContain('Ingress');
    expect(() => renderTemplate('{{ include "x" . }}', {})).toThrow(/unsupported/);
    expect(() => renderTemplate('{{ .Values.missing }}', { Values: {} })).toThrow(/undefined/);
  });
});

/** `npm …` commands of a shell script or Dockerfile, in order, normalised. */
function npmSteps(text: string): string[] {
  return [...text.matchAll(/^\s*(?:RUN\s+)?(npm (?:ci|run typecheck|run build|test)\b[^\n&;]*)/gm)].map((m) => m[1]!.trim().replace(/\s+/g, ' '));
}

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds with exactly the install, type-check and build steps of .ci/run', () => {
    const ci = npmSteps(readFileSync(join(ROOT, '.ci/run'), 'utf8')).filter((s) => !s.startsWith('npm test'));
    expect(ci).toEqual(['npm ci --no-audit --no-fund', 'npm run typecheck', 'npm run build']);
    expect(npmSteps(stages[0]!)).toEqual(ci);
  });

  it('is multi-stage; the runtime stage is non-root with a healthcheck and writes nothing to the image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER (node|\d{3,})\s*$/m);
    expect(runtime).not.toMatch(/^USER root/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    expect(runtime).not.toMatch(/^RUN /m);
    expect(runtime).not.toMatch(/PERCH_MASTER_KEY|DATABASE_URL/);
  });

  it('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', '.perch', '.env']) expect(ignored).toContain(entry);
  });

  it('docker-compose runs two read-only Perch replicas behind a proxy with PostgreSQL', () => {
    const compose = parse(readFileSync(join(ROOT, 'deploy/docker-compose.yml'), 'utf8'), { merge: true }) as Manifest;
    const perchServices = Object.keys(compose.services).filter((s) => s.startsWith('perch-'));
    expect(perchServices).toHaveLength(2);
    for (const name of perchServices) {
      expect(compose.services[name].read_only).toBe(true);
      expect(compose.services[name].environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    }
    expect(compose.services.proxy.image).toMatch(/^nginx/);
    expect(compose.services.postgres.image).toMatch(/^postgres/);
    const nginx = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    for (const name of perchServices) expect(nginx).toContain(`server ${name}:4100`);
  });
});
