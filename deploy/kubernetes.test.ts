import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createHeaderCheck, MIN_STATIC_KEY_LENGTH } from '../collector-processor/src/api/auth/authenticator';
import { loadConfig, type Config } from '../collector-processor/src/config/load-config';
import { prometheusRuleFile, prometheusRuleYaml, rulesFile } from './kubernetes/prometheusrule';
import { build, readDocuments, type Resource } from './test-support/kustomize';

const k8s = resolve(import.meta.dirname, 'kubernetes');
type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const variants = { base: 'base', dev: 'overlays/dev', prod: 'overlays/prod' } as const;

const find = (rs: Resource[], kind: string, name = 'logsieve'): Tree => {
  const r = rs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!r) throw new Error(`missing ${kind}/${name}`);
  return r;
};
const subset = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
/** Only auth.apiKeys are checked here; the database's keys store is never asked. */
const noDatabaseKeys = { verify: async () => null };
/** What an operator does before applying: each CHANGE_ME... placeholder becomes one real key. */
const replacePlaceholders = (data: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      v.replace(/CHANGE_ME\w*/g, (p) => `${p.toLowerCase()}-0123456789abcdef`),
    ]),
  );

describe.each(Object.entries(variants))('kustomize %s', (_name, dir) => {
  const resources = build(resolve(k8s, dir));
  const deployment = find(resources, 'Deployment');
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
  const container = deployment.spec.template.spec.containers[0];
  const containerPorts = new Map<string, number>(container.ports.map((p: Tree) => [p.name, p.containerPort]));

  it('gives every resource apiVersion, kind and a name, and puts logsieve in ml-pipeline', () => {
    for (const r of resources) {
      expect(r.apiVersion, JSON.stringify(r)).toMatch(/^([\w.-]+\/)?v\d\w*$/);
      expect(r.kind).toMatch(/^[A-Z]\w+$/);
      expect(r.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      if (r.kind !== 'Namespace') expect(r.metadata.namespace, r.kind).toBe('ml-pipeline');
    }
    const names = resources.filter((r) => r.kind === 'Namespace').map((r) => r.metadata.name);
    expect(names.sort()).toEqual(['logging', 'ml-pipeline', 'monitoring']);
    const ids = resources.map((r) => `${r.kind}/${r.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('selects the Deployment pods from the Service, PDB, NetworkPolicy and HPA', () => {
    expect(subset(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(subset(find(resources, 'Service').spec.selector, podLabels)).toBe(true);
    expect(subset(find(resources, 'PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
    expect(
      subset(find(resources, 'NetworkPolicy', 'logsieve-ingress').spec.podSelector.matchLabels, podLabels),
    ).toBe(true);
    const hpa = find(resources, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'logsieve' });
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    expect(find(resources, 'PodDisruptionBudget').spec.minAvailable).toBeLessThanOrEqual(
      hpa.spec.minReplicas,
    );
  });

  it('exposes the documented ports and routes Service ports to named container ports', () => {
    expect(Object.fromEntries(containerPorts)).toEqual({
      'otlp-grpc': 4317,
      'otlp-http': 4318,
      rest: 8080,
      metrics: 9464,
    });
    for (const p of find(resources, 'Service').spec.ports)
      expect(containerPorts.get(p.targetPort)).toBe(p.port);
  });

  it('probes /healthz and /readyz and runs non-root on a read-only root filesystem', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'rest' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'rest' });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    const mounted = container.volumeMounts.map((m: Tree) => m.name).sort();
    expect(mounted).toEqual(deployment.spec.template.spec.volumes.map((v: Tree) => v.name).sort());
  });

  const secret = find(resources, 'Secret', 'logsieve-secrets');
  /** The configuration the pod loads: the ConfigMap's file and the env the Deployment maps from `secretData`. */
  const podConfig = (secretData: Record<string, string>): Config => {
    const env: Record<string, string> = {};
    for (const e of container.env) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      expect(ref.name).toBe('logsieve-secrets');
      expect(secretData).toHaveProperty([ref.key]);
      env[e.name] = secretData[ref.key]!;
    }
    const cm = find(resources, 'ConfigMap', 'logsieve-config');
    const volume = deployment.spec.template.spec.volumes.find((v: Tree) => v.configMap);
    expect(volume.configMap.name).toBe('logsieve-config');
    // loadConfig reads a file: validate the ConfigMap's text through it.
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-k8s-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, cm.data['config.yaml']);
    try {
      return loadConfig({ file, env });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('reads only Secret and ConfigMap keys that exist, and the ConfigMap is a valid logsieve config', () => {
    const config = podConfig(secret.stringData);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.auth.enabled).toBe(true);
    expect(config.storage.kind).toBe('postgres');
    expect(config.server.ports).toEqual({ otlpHttp: 4318, otlpGrpc: 4317, rest: 8080, metrics: 9464 });
  });

  it('lets only collectors, Grafana and Prometheus reach their ports', () => {
    const np = find(resources, 'NetworkPolicy', 'logsieve-ingress');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    const allowed = np.spec.ingress.map((rule: Tree) => ({
      from: rule.from.map((f: Tree) => [
        f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'],
        f.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? '*',
      ]),
      ports: rule.ports.map((p: Tree) => p.port),
    }));
    expect(allowed).toEqual([
      { from: [['logging', '*']], ports: [4317, 4318] },
      { from: [['monitoring', 'grafana']], ports: [8080] },
      { from: [['monitoring', 'prometheus']], ports: [9464] },
    ]);
  });

  it('scrapes the metrics port with a ServiceMonitor whose job label is "logsieve"', () => {
    const sm = find(resources, 'ServiceMonitor');
    const service = find(resources, 'Service');
    expect(subset(sm.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(service.spec.ports.map((p: Tree) => p.name)).toContain(sm.spec.endpoints[0].port);
    // The operator names the job after the Service; LogsieveDown watches up{job="logsieve"}.
    expect(service.metadata.name).toBe('logsieve');
  });

  it('scrapes with a viewer key from the Secret that logsieve accepts once the placeholders are replaced', async () => {
    const auth = find(resources, 'ServiceMonitor').spec.endpoints[0].authorization;
    expect(auth.type ?? 'Bearer').toBe('Bearer');
    // The operator reads the Secret from the ServiceMonitor's own namespace.
    expect(auth.credentials.name).toBe('logsieve-secrets');
    expect(secret.stringData).toHaveProperty([auth.credentials.key]);

    // As shipped, every configured key is a placeholder that logsieve refuses at start.
    const shipped = podConfig(secret.stringData);
    expect(shipped.auth.apiKeys.length).toBeGreaterThan(1);
    for (const entry of shipped.auth.apiKeys) {
      const one = { auth: { ...shipped.auth, apiKeys: [entry] } };
      expect(() => createHeaderCheck({ config: one, keys: noDatabaseKeys }), entry).toThrow(
        `at least ${MIN_STATIC_KEY_LENGTH} characters`,
      );
    }

    // Replaced consistently, logsieve starts and Prometheus's Bearer token is a viewer.
    const real = replacePlaceholders(secret.stringData);
    const check = createHeaderCheck({ config: podConfig(real), keys: noDatabaseKeys });
    const result = await check({ authorization: `Bearer ${real[auth.credentials.key]}` });
    expect(result).toMatchObject({ role: 'viewer' });
  });
});

describe('overlays', () => {
  it('pin different image tags and scale prod above dev', () => {
    const image = (dir: string) =>
      find(build(resolve(k8s, dir)), 'Deployment').spec.template.spec.containers[0].image;
    expect(image(variants.dev)).toBe('logsieve/logsieve:0.1.0-dev');
    expect(image(variants.prod)).toBe('logsieve/logsieve:0.1.0');
    const hpa = (dir: string) => find(build(resolve(k8s, dir)), 'HorizontalPodAutoscaler').spec;
    expect(hpa(variants.prod).minReplicas).toBeGreaterThan(hpa(variants.dev).minReplicas);
  });
});

describe('PrometheusRule', () => {
  it('carries exactly the groups of alertmanager-config/rules (regenerate with prometheusrule.ts)', () => {
    const committed = readDocuments(prometheusRuleFile)[0]!;
    const generated = parse(prometheusRuleYaml(readFileSync(rulesFile, 'utf8')));
    expect(committed).toEqual(generated);
    expect((committed['spec'] as Tree).groups).toEqual(parse(readFileSync(rulesFile, 'utf8')).groups);
  });
});
