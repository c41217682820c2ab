import { readFileSync } from 'node:fs';
import { metricsDoc } from './repo-paths';

/** Metric names documented in docs/metrics.md (the first column of its table). */
export function documentedMetrics(): Map<string, string> {
  const metrics = new Map<string, string>();
  for (const m of readFileSync(metricsDoc, 'utf8').matchAll(
    /^\|\s*`(logsieve_[a-z0-9_]+)`\s*\|\s*(\w+)\s*\|/gm,
  )) {
    metrics.set(m[1]!, m[2]!);
  }
  return metrics;
}

/**
 * Names a PromQL expression selects that look like logsieve series: raw metrics
 * (`logsieve_x_total`) and recording rules (`level:logsieve_x:op`). Label values and strings are
 * stripped first so `stream="logsieve_demo"` is not mistaken for a metric.
 */
export function logsieveNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  return [...new Set(code.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])].filter((n) => n.includes('logsieve_'));
}

/** Is `name` a documented metric, allowing the _bucket/_sum/_count series of a histogram? */
export function isDocumented(name: string, docs: Map<string, string>): boolean {
  if (docs.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && docs.get(base) === 'histogram';
}
