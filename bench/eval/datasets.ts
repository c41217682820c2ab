/**
 * The evaluation datasets, each made ready for `evaluate`: training and test files written under
 * bench/out/eval, the unit flags, and the test labels. Labels never reach logsieve: label fields
 * are cut from the lines it reads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasets, outRoot, type Label, type Prepared } from './core';
import { windowKey } from './baseline-script';
import { prf } from './metrics';
import { scenarioExtra, scenarioLabels } from './scenario/score';
import { generateScenario } from './scenario/generate';
import { writeScenario } from './scenario/cli';

export interface DatasetOptions {
  seed: string;
  trainAbnormal: string;
}

const byUnit = (u: { unit: string }) => u.unit;
const byStreamUnit = (u: { unit: string; stream: string }) => `${u.stream}\t${u.unit}`;

function readCsvLabels(file: string, normal: string, stream: string): Map<string, Label> {
  const out = new Map<string, Label>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (!line.trim()) continue;
    const [id, label] = line.split(',');
    out.set(id!, { anomalous: label!.trim() !== normal, stream });
  }
  return out;
}

/** HDFS rendered by render_hdfs.py with the run's seed (its sample and values) and contamination. */
export function hdfsRendered(o: DatasetOptions): Prepared {
  const dir = join(outRoot, `hdfs-data-seed${o.seed}-abn${o.trainAbnormal}`);
  if (!existsSync(join(dir, 'test_labels.csv')))
    execFileSync(
      'python3',
      [
        join(datasets, '../tools/render_hdfs.py'),
        '--out',
        dir,
        '--seed',
        o.seed,
        '--train-abnormal',
        o.trainAbnormal,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  // The same file name for both parts, so training and test lines are one stream (logsieve names
  // a stream after its file; the reference script keeps templates per stream).
  for (const [part, file] of [
    ['train', 'train.log'],
    ['test', 'test.log'],
  ] as const) {
    mkdirSync(join(dir, part), { recursive: true });
    if (!existsSync(join(dir, part, 'hdfs.log'))) symlinkSync(join('..', file), join(dir, part, 'hdfs.log'));
  }
  const contaminated = o.trainAbnormal !== '0';
  return {
    name: contaminated ? `HDFS rendered, ${o.trainAbnormal} anomalous in training` : 'HDFS rendered',
    group: contaminated ? `HDFS rendered --train-abnormal ${o.trainAbnormal}` : 'HDFS rendered',
    train: [join(dir, 'train/hdfs.log')],
    test: [join(dir, 'test/hdfs.log')],
    unitArgs: ['--session-key', 'blk_-?\\d+'],
    labels: readCsvLabels(join(dir, 'test_labels.csv'), 'Normal', 'hdfs.log'),
    unitOf: byUnit,
  };
}

/** HDFS_2k with its block labels: blocks first seen in the first 60 % of lines train, the rest test. */
export function hdfs2k(): Prepared {
  const lines = readLines(join(datasets, 'loghub_2k/HDFS/HDFS_2k.log'));
  const labels = new Map<string, boolean>();
  for (const f of ['train.csv', 'test.csv']) {
    const text = readFileSync(join(datasets, 'hdfs_2k_block_labels', f), 'utf8');
    for (const m of text.matchAll(/^(blk_-?\d+),.*,([01]),\d+\s*$/gm)) labels.set(m[1]!, m[2] === '1');
  }
  const cut = Math.floor(lines.length * 0.6);
  const dir = join(outRoot, 'hdfs2k-data');
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'hdfs.log'), lines.slice(0, cut).join('\n') + '\n');
  writeFileSync(join(dir, 'test/hdfs.log'), lines.slice(cut).join('\n') + '\n');
  const trainBlocks = new Set(lines.slice(0, cut).flatMap((l) => l.match(/blk_-?\d+/g) ?? []));
  const testText = lines.slice(cut).join('\n');
  const testLabels = new Map<string, Label>();
  for (const [k, v] of labels)
    if (!trainBlocks.has(k) && testText.includes(k)) testLabels.set(k, { anomalous: v, stream: 'hdfs.log' });
  return {
    name: 'HDFS_2k',
    group: 'HDFS_2k',
    train: [join(dir, 'hdfs.log')],
    test: [join(dir, 'test/hdfs.log')],
    unitArgs: ['--session-key', 'blk_-?\\d+'],
    labels: testLabels,
    unitOf: byUnit,
  };
}

function readLines(file: string): string[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
}

/**
 * Loghub-style alert-labelled lines (BGL, Thunderbird): first field `-` = normal, else an alert
 * category; second field the epoch. Windows follow the time written in the line (`clock`, read as
 * UTC as logsieve reads it), not the epoch field: the two differ by the site's UTC offset, and
 * labelling by the epoch would give each window the alerts of lines 7-8 hours away. The label
 * field is cut; split chronologically at `trainShare`;
 * a window is anomalous when any of its lines is an alert; every window between the test part's
 * first and last line is a unit (an empty window is a normal unit). Per-line figures: a line is
 * flagged when its window is.
 */
function alertLabelled(
  name: string,
  file: string,
  stream: string,
  windowSeconds: number,
  trainShare: number,
  /** The time written in a line whose label field is already cut. */
  clock: (cut: string) => number,
): Prepared {
  const lines = readLines(file);
  const cut = Math.floor(lines.length * trainShare);
  const dir = join(outRoot, `${stream.replace(/\W+/g, '-')}-data`);
  mkdirSync(join(dir, 'test'), { recursive: true });
  const strip = (l: string) => l.slice(l.indexOf(' ') + 1);
  writeFileSync(join(dir, stream), lines.slice(0, cut).map(strip).join('\n') + '\n');
  writeFileSync(join(dir, 'test', stream), lines.slice(cut).map(strip).join('\n') + '\n');
  const w = windowSeconds * 1000;
  const labels = new Map<string, Label>();
  const lineWindows: { key: string; alert: boolean }[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const l of lines.slice(cut)) {
    const t = clock(strip(l));
    const start = t - (t % w);
    first = Math.min(first, start);
    last = Math.max(last, start);
    const key = `${stream}\t${windowKey(start, w)}`;
    const alert = !l.startsWith('- ');
    lineWindows.push({ key, alert });
    labels.set(key, { anomalous: (labels.get(key)?.anomalous ?? false) || alert, stream });
  }
  for (let t = first; t <= last; t += w) {
    const key = `${stream}\t${windowKey(t, w)}`;
    if (!labels.has(key)) labels.set(key, { anomalous: false, stream });
  }
  return {
    name,
    group: name,
    train: [join(dir, stream)],
    test: [join(dir, 'test', stream)],
    unitArgs: ['--window', String(windowSeconds)],
    labels,
    unitOf: byStreamUnit,
    timeOf: (raw) => clock(raw) || null,
    extra: (pred, base) => {
      const truth = lineWindows.map((x) => x.alert);
      return {
        rows: [
          {
            name: `${name}, per line (line flagged = its window flagged)`,
            ensemble: prf(
              lineWindows.map((x) => pred.get(x.key) ?? false),
              truth,
            ),
            baseline: prf(
              lineWindows.map((x) => base.get(x.key) ?? false),
              truth,
            ),
          },
        ],
      };
    },
  };
}

/** BGL's own stamp, the fourth field after the label: `2005-06-03-15.42.50.675872`. */
export function bglClock(cut: string): number {
  const m = cut.split(' ')[3]?.match(/^(\d{4}-\d\d-\d\d)-(\d\d)\.(\d\d)\.(\d\d)\.(\d{3})/);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : NaN;
}

/** Thunderbird: the date field (`2005.11.09`) with the syslog stamp's time of day (`Nov 9 12:01:01`). */
export function thunderbirdClock(cut: string): number {
  const f = cut.split(/\s+/);
  return Date.parse(`${f[1]!.replace(/\./g, '-')}T${f[5]}Z`);
}

/** BGL_2k: the first half trains, daily windows (the 2k sample spans months). */
export const bgl = () =>
  alertLabelled('BGL_2k', join(datasets, 'loghub_2k/BGL/BGL_2k.log'), 'bgl.log', 86_400, 0.5, bglClock);

/**
 * Thunderbird_2k: 2,000 lines over about 15 minutes, and every one labelled normal, so only the
 * realised false-alarm rate is measurable (P/R/F1 are 0 by construction). 15-second windows: at
 * 60 s the first half holds 9 windows, fewer than `train` accepts.
 */
export const thunderbird = () =>
  alertLabelled(
    'Thunderbird_2k',
    join(datasets, 'loghub_2k/Thunderbird/Thunderbird_2k.log'),
    'thunderbird.log',
    15,
    0.5,
    thunderbirdClock,
  );

/** bgl_samples: 108,907 real BGL lines (random sample, time-sorted); chronological 80/20 split, hourly windows. */
export const bglSamples = () =>
  alertLabelled(
    'BGL samples (108,907 lines)',
    join(datasets, 'bgl_samples/bgl_110k_sample.log'),
    'bgl-samples.log',
    3_600,
    0.8,
    bglClock,
  );

/**
 * Hadoop applications (hadoop_app_labeled): the label is per application, so an application is
 * anomalous when any of its containers is. Unit: one container's log (a session), `container=ID`
 * appended to each of its lines as the session key (container ids also occur inside messages), all
 * lines merged in time order into one stream as a collector would ship them. Training: the normal
 * applications of the first day; test: every application started later.
 */
export function hadoop(): Prepared {
  const src = join(datasets, 'hadoop_app_labeled');
  const labels = new Map<string, boolean>();
  let normal = false;
  for (const line of readFileSync(join(src, 'abnormal_label.txt'), 'utf8').split('\n')) {
    if (/^\w.*:\s*$/.test(line)) normal = line.startsWith('Normal');
    const m = line.match(/^\+ (application_\d+_\d+)/);
    if (m) labels.set(m[1]!, !normal);
  }
  const cut = '2015-10-18';
  const trainLines: [string, string][] = [];
  const testLines: [string, string][] = [];
  const testLabels = new Map<string, Label>();
  for (const app of [...labels.keys()].sort()) {
    const dir = join(src, app);
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const lines = files.flatMap((f) => stamped(readFileSync(join(dir, f), 'utf8'), f.replace(/\.log$/, '')));
    const start = lines.reduce((a, [t]) => (t < a ? t : a), '9999');
    if (start >= cut) {
      testLines.push(...lines);
      testLabels.set(app, { anomalous: labels.get(app)!, stream: 'hadoop.log' });
    } else if (!labels.get(app)) trainLines.push(...lines);
  }
  const dir = join(outRoot, 'hadoop-data');
  mkdirSync(join(dir, 'test'), { recursive: true });
  const write = (file: string, lines: [string, string][]) =>
    writeFileSync(
      file,
      lines
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([, l]) => l)
        .join('\n') + '\n',
    );
  write(join(dir, 'hadoop.log'), trainLines);
  write(join(dir, 'test/hadoop.log'), testLines);
  return {
    name: 'Hadoop apps',
    group: 'Hadoop apps',
    train: [join(dir, 'hadoop.log')],
    test: [join(dir, 'test/hadoop.log')],
    unitArgs: ['--session-key', 'container=(container_\\d+_\\d+_\\d+_\\d+)'],
    labels: testLabels,
    unitOf: (u) => u.unit.replace(/^container_(\d+_\d+)_.*/, 'application_$1'),
  };
}

/** A container log's lines with their sort time and the container id appended; continuation lines
 * (stack traces) keep the time of the line they belong to, so a stable sort keeps them together. */
function stamped(text: string, container: string): [string, string][] {
  let t = '0000';
  const out: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = line.match(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})/);
    if (m) t = m[1]!;
    out.push([t, `${line} container=${container}`]);
  }
  return out;
}

/** The issue-16 web-shop scenario (bench/eval/scenario), generated for the run's seed; 60-second windows per stream. */
export function scenario(o: DatasetOptions): Prepared {
  const dir = join(outRoot, `scenario-data-seed${o.seed}`);
  const s = generateScenario({ seed: Number(o.seed) });
  writeScenario(s, dir);
  const streams = Object.keys(s.test).sort();
  const labels = scenarioLabels(s.labels);
  return {
    name: 'Scenario (web shop, 6 formats)',
    group: 'Scenario',
    train: streams.map((f) => join(dir, 'train', f)),
    test: streams.map((f) => join(dir, 'test', f)),
    unitArgs: ['--window', String(s.labels.windowSeconds)],
    labels,
    unitOf: byStreamUnit,
    extra: (pred, base) => scenarioExtra(s.labels, pred, base),
  };
}

export const DATASETS: Record<string, (o: DatasetOptions) => Prepared> = {
  hdfs: hdfsRendered,
  hdfs2k,
  bgl,
  thunderbird,
  hadoop,
  bglsamples: bglSamples,
  scenario,
};
