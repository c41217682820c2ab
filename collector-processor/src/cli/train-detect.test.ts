import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemo, type DemoDataset } from './demo/demo-generator';

const bin = resolve(import.meta.dirname, '../../bin/logsieve.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('logsieve train and detect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-'));
  let data: DemoDataset;
  beforeAll(async () => {
    // The project's own generator, shortened: 80 training minutes, 90 minutes with incidents.
    data = await generateDemo(dir, { trainMinutes: 80, testMinutes: 90 });
    const t = run('train', '--input', data.trainDir, '--out', join(dir, 'model'), '-q');
    expect(t.status, t.stderr).toBe(0);
  }, 120_000);

  it('writes a bundle with a manifest and five ONNX models', () => {
    const m = JSON.parse(readFileSync(join(dir, 'model/manifest.json'), 'utf8'));
    expect(m.format).toBe('logsieve-bundle/1');
    expect(Object.keys(m.models).sort()).toEqual([
      'autoencoder',
      'isolation_forest',
      'lof',
      'lstm',
      'one_class_svm',
    ]);
    expect(m.threshold.minScore).toBeCloseTo(75, 1);
    expect(m.training.units).toBeGreaterThan(400);
  });

  it('writes ONNX files that load and run in onnxruntime on their own', async () => {
    const ort = await import('onnxruntime-node');
    const m = JSON.parse(readFileSync(join(dir, 'model/manifest.json'), 'utf8'));
    const dims = m.features.columns.length;
    for (const [name, entry] of Object.entries(m.models) as [string, { file: string }][]) {
      const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model', entry.file)));
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = name === 'lstm'
        ? {
            event: new ort.Tensor('int64', BigInt64Array.from([0n, 2n]), [2]),
            h_in: new ort.Tensor('float32', new Float32Array(2 * m.extra.detectors.lstm.hiddenSize), [
              1,
              2,
              m.extra.detectors.lstm.hiddenSize,
            ]),
            c_in: new ort.Tensor('float32', new Float32Array(2 * m.extra.detectors.lstm.hiddenSize), [
              1,
              2,
              m.extra.detectors.lstm.hiddenSize,
            ]),
          }
        : { X: new ort.Tensor('float32', new Float32Array(2 * dims), [2, dims]) };
      const out = await session.run(feeds);
      const first = out[name === 'lstm' ? 'probs' : 'score']!;
      expect(first.dims[0], name).toBe(2);
      expect(Array.from(first.data as Float32Array).every(Number.isFinite), name).toBe(true);
      await session.release();
    }
  });

  it('writes every unit with --all in the documented shape, anomalies during the incidents', () => {
    const out = join(dir, 'all.jsonl');
    const d = run(
      'detect',
      '--model',
      join(dir, 'model'),
      '--input',
      data.testDir,
      '--out',
      out,
      '--all',
      '-q',
    );
    expect(d.status, d.stderr).toBe(0);
    const units = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(units.length).toBe(6 * 90);
    for (const u of units) {
      expect(Object.keys(u)).toEqual(
        expect.arrayContaining([
          'unit',
          'stream',
          'start',
          'end',
          'score',
          'anomaly',
          'models',
          'explanation',
        ]),
      );
      expect(Object.keys(u.models).sort()).toEqual([
        'autoencoder',
        'isolation_forest',
        'lof',
        'lstm',
        'one_class_svm',
      ]);
      expect(u.score).toBeGreaterThanOrEqual(0);
      expect(u.score).toBeLessThanOrEqual(100);
    }
    const during = (u: { stream: string; start: string }) =>
      data.incidents.some(
        (i) =>
          u.stream === `${i.stream}.log` &&
          Date.parse(u.start) >= i.startMs - 60_000 &&
          Date.parse(u.start) < i.endMs,
      );
    const flagged = units.filter((u) => u.anomaly);
    expect(flagged.filter(during).length).toBeGreaterThanOrEqual(15);
    // Nearly all alerts fall inside incidents (the threshold is a 1/1000 false-alarm rate).
    expect(flagged.filter((u) => !during(u)).length).toBeLessThanOrEqual(3);
    const inv = flagged.find((u) => u.stream === 'inventory.log');
    expect(inv.explanation.summary).toMatch(/no log lines/);
    // The rule detectors score every window beside the models, and name what changed.
    for (const u of units)
      expect(Object.keys(u.rules).sort()).toEqual([
        'new_values',
        'novelty',
        'numeric',
        'numeric_recent',
        'order',
        'order_recent',
        'rate_share',
        'rate_share_recent',
        'severity',
        'silence',
      ]);
    const gateway = flagged.filter((u) => u.stream === 'api-gateway.log' && during(u));
    expect(
      gateway.some((u) => u.explanation.drivers?.some((d: { rule: string }) => d.rule === 'numeric')),
    ).toBe(true);
  });

  it('without --all writes only anomalies', () => {
    const out = join(dir, 'anom.jsonl');
    expect(
      run('detect', '--model', join(dir, 'model'), '--input', data.testDir, '--out', out, '-q').status,
    ).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((u) => u.anomaly)).toBe(true);
  });

  it('gives one-line errors for a missing bundle, a broken bundle, a bad regex and a missing input', () => {
    const bad = [
      run('detect', '--model', join(dir, 'nope'), '--input', data.testDir, '--out', join(dir, 'x')),
      run('detect', '--model', data.testDir, '--input', data.testDir, '--out', join(dir, 'x')),
      run('train', '--input', data.trainDir, '--out', join(dir, 'm2'), '--session-key', 'blk_('),
      run('train', '--input', join(dir, 'missing.log'), '--out', join(dir, 'm3')),
      run(
        'detect',
        '--model',
        join(dir, 'model'),
        '--input',
        data.testDir,
        '--out',
        join(dir, 'x'),
        '--window',
        '30',
      ),
    ];
    for (const r of bad) {
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^logsieve: /);
    }
    expect(bad[0]!.stderr).toMatch(/no manifest.json/);
    expect(bad[2]!.stderr).toMatch(/invalid --session-key regex/);
    expect(bad[4]!.stderr).toMatch(/trained on 60-second windows/);
  });
});

describe('logsieve demo', () => {
  it('finds the injected incidents, though its training part holds one too, and prints a readable report', () => {
    const r = run('demo', '--out', mkdtempSync(join(tmpdir(), 'logsieve-demo-')));
    expect(r.status, r.stderr).toBe(0);
    const found = /Injected incidents found: (\d) of 6; other alerts: (\d+)/.exec(r.stdout);
    expect(found, r.stdout).not.toBeNull();
    expect(Number(found![1])).toBe(6);
    expect(Number(found![2])).toBe(0);
    // The baseline's own error burst (4 windows) is left out of training, not learned as normal.
    expect(r.stdout).toMatch(/training part held an incident too \(\d\d:\d\d payments-db/);
    expect(
      Number(/Left out of training as likely incidents: (\d+)/.exec(r.stdout)![1]),
    ).toBeGreaterThanOrEqual(4);
    expect(r.stdout).toMatch(/why: /);
  }, 120_000);
});
