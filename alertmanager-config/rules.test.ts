import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from './test-support/binaries';
import { documentedMetrics, isDocumented, logsieveNames } from './test-support/metric-names';
import { alertmanagerDir, rulesFile } from './test-support/repo-paths';
import { allRules, readRules } from './test-support/rules';

const promtool = requireBinary('promtool');
const rules = allRules(readRules());
const alerts = rules.filter((r) => r.alert);
const unitTestFile = resolve(alertmanagerDir, 'tests/logsieve.rules.test.yml');

describe('alert and recording rules', () => {
  it('use only metrics documented in docs/metrics.md or recorded in the same file', () => {
    const docs = documentedMetrics();
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const unknown = rules.flatMap((r) =>
      logsieveNames(r.expr).filter((n) => !recorded.has(n) && !isDocumented(n, docs)),
    );
    expect(unknown).toEqual([]);
    expect(docs.size).toBeGreaterThan(10);
  });

  it('name alerts in CamelCase with a severity, summary, description and a README runbook', () => {
    // The runbooks live in the root README, where every runbook_url points.
    const readme = readFileSync(resolve(alertmanagerDir, '..', 'README.md'), 'utf8');
    const anchors = new Set([...readme.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]!));
    for (const a of alerts) {
      expect(a.alert).toMatch(/^[A-Z][a-zA-Z0-9]+$/);
      expect(['info', 'warning', 'critical']).toContain(a.labels?.['severity']);
      expect(a.annotations?.['summary'], a.alert).toBeTruthy();
      expect(a.annotations?.['description'], a.alert).toBeTruthy();
      const anchor = /README\.md#([a-z0-9-]+)$/.exec(a.annotations?.['runbook_url'] ?? '')?.[1];
      expect(anchors.has(anchor ?? ''), `${a.alert}: runbook anchor ${anchor} in README.md`).toBe(true);
    }
  });

  it('have a firing and a not-firing promtool case for every alert', () => {
    const tests = parse(readFileSync(unitTestFile, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${a.alert} firing`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${a.alert} not firing`,
      ).toBe(true);
    }
  });
});

describe.skipIf(!promtool)('promtool', () => {
  it('check rules accepts the rules file', () => {
    const r = spawnSync(promtool!, ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('test rules passes every unit test', () => {
    const r = spawnSync(promtool!, ['test', 'rules', unitTestFile], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
