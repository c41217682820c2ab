// The bundled dashboard must query exactly the metric names the service documents (docs/metrics.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const documented = new Set(
  [
    ...readFileSync(path.join(root, 'docs/metrics.md'), 'utf8').matchAll(
      /^\|\s*`(logsieve_\w+)`\s*\|\s*(\w+)\s*\|/gm,
    ),
  ].map((m) => m[1]),
);
const dashboard = JSON.parse(readFileSync(path.join(import.meta.dirname, 'logsieve-overview.json'), 'utf8'));
const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
  p.targets.map((t) => t.expr),
);

describe('logsieve-overview dashboard', () => {
  it('reads the documented metric table', () => {
    expect(documented.size).toBeGreaterThanOrEqual(16);
    expect(documented.has('logsieve_anomaly_score')).toBe(true);
  });

  it('uses only documented metrics (histograms through their _bucket series)', () => {
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/logsieve_\w+/g)].map((m) => m[0].replace(/_bucket$/, ''))),
    );
    for (const name of used) expect(documented, name).toContain(name);
    for (const key of [
      'logsieve_anomaly_score',
      'logsieve_anomalies_total',
      'logsieve_model_ready',
      'logsieve_records_processed_total',
    ])
      expect(used, key).toContain(key);
  });

  it('queries through a Prometheus data source variable and filters by stream', () => {
    expect(dashboard.templating.list.map((v: { name: string }) => v.name)).toEqual(['datasource', 'stream']);
    expect(exprs.some((e) => e.includes('stream=~"$stream"'))).toBe(true);
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
