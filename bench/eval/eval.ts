/**
 * Detection evaluation on real labelled logs: train on earlier data, detect on later data with
 * the threshold the bundle chose from training data alone, report P/R/F1 per model and for the
 * ensemble. Usage: npx tsx bench/eval/eval.ts [hdfs] [hdfs2k] [bgl] [hadoop] [--seed N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prf, type Prf } from './metrics';

const root = resolve(import.meta.dirname, '../..');
const datasets = resolve(root, '../shared/datasets');
const outRoot = join(root, 'bench/out/eval');
const MODELS = ['isolation_forest', 'one_class_svm', 'lof', 'autoencoder', 'lstm'] as const;
const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? args.splice(seedAt, 2)[1]! : '42';

interface UnitLine {
  unit: string;
  stream: string;
  score: number;
  anomaly: boolean;
  models: Record<string, number>;
}

interface Row {
  dataset: string;
  model: string;
  m: Prf;
}

function logsieve(args: string[]): { seconds: number; stderr: string } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'collector-processor/bin/logsieve.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`logsieve ${args[0]} failed: ${r.stderr}`);
  return { seconds: (Date.now() - t0) / 1000, stderr: r.stderr + r.stdout };
}

/** Trains, detects with --all, and scores every labelled unit (units missing from the output count as normal). */
function run(
  name: string,
  train: string[],
  test: string[],
  unitArgs: string[],
  labels: Map<string, boolean>,
  unitOf: (u: UnitLine) => string,
): Row[] {
  const dir = join(outRoot, name);
  mkdirSync(dir, { recursive: true });
  const tr = logsieve([
    'train',
    '--input',
    ...train,
    '--out',
    join(dir, 'model'),
    ...unitArgs,
    '--seed',
    seed,
    '-q',
  ]);
  const de = logsieve([
    'detect',
    '--model',
    join(dir, 'model'),
    '--input',
    ...test,
    '--out',
    join(dir, 'units.jsonl'),
    '--all',
  ]);
  console.error(`${name}: train ${tr.seconds.toFixed(1)} s; ${de.stderr.trim()}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'model/manifest.json'), 'utf8'));
  const minScore: number = manifest.threshold.minScore;
  const byUnit = new Map<string, UnitLine>();
  for (const line of readFileSync(join(dir, 'units.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const u = JSON.parse(line) as UnitLine;
    const key = unitOf(u);
    const prev = byUnit.get(key);
    if (!prev || u.score > prev.score) byUnit.set(key, u);
  }
  const keys = [...labels.keys()];
  const truth = keys.map((k) => labels.get(k)!);
  const rows: Row[] = [
    {
      dataset: name,
      model: 'ensemble',
      m: prf(
        keys.map((k) => byUnit.get(k)?.anomaly ?? false),
        truth,
      ),
    },
  ];
  for (const m of MODELS)
    rows.push({
      dataset: name,
      model: m,
      m: prf(
        keys.map((k) => (byUnit.get(k)?.models[m] ?? 0) >= minScore),
        truth,
      ),
    });
  return rows;
}

function readCsvLabels(file: string, normal: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (!line.trim()) continue;
    const [id, label] = line.split(',');
    out.set(id!, label!.trim() !== normal);
  }
  return out;
}

function hdfsRendered(): Row[] {
  const dir = join(outRoot, 'hdfs-data');
  if (!existsSync(join(dir, 'test.log')))
    execFileSync('python3', [resolve(datasets, '../tools/render_hdfs.py'), '--out', dir], {
      stdio: 'inherit',
    });
  return run(
    'HDFS rendered',
    [join(dir, 'train.log')],
    [join(dir, 'test.log')],
    ['--session-key', 'blk_-?\\d+'],
    readCsvLabels(join(dir, 'test_labels.csv'), 'Normal'),
    (u) => u.unit,
  );
}

/** HDFS_2k with its block labels: blocks first seen in the first 60 % of lines train, the rest test. */
function hdfs2k(): Row[] {
  const lines = readFileSync(join(datasets, 'loghub_2k/HDFS/HDFS_2k.log'), 'utf8')
    .split(/\r?\n/)
    .filter(Boolean);
  const labels = new Map<string, boolean>();
  for (const f of ['train.csv', 'test.csv']) {
    for (const [k, v] of readCsvLabels2k(join(datasets, 'hdfs_2k_block_labels', f))) labels.set(k, v);
  }
  const cut = Math.floor(lines.length * 0.6);
  const dir = join(outRoot, 'hdfs2k-data');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hdfs.log'), lines.slice(0, cut).join('\n') + '\n');
  const trainBlocks = new Set(lines.slice(0, cut).flatMap((l) => l.match(/blk_-?\d+/g) ?? []));
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'test/hdfs.log'), lines.slice(cut).join('\n') + '\n');
  const testLabels = new Map(
    [...labels].filter(([k]) => !trainBlocks.has(k) && lines.slice(cut).some((l) => l.includes(k))),
  );
  return run(
    'HDFS_2k',
    [join(dir, 'hdfs.log')],
    [join(dir, 'test/hdfs.log')],
    ['--session-key', 'blk_-?\\d+'],
    testLabels,
    (u) => u.unit,
  );
}

function readCsvLabels2k(file: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(blk_-?\d+),.*,([01]),\d+\s*$/gm)) out.set(m[1]!, m[2] === '1');
  return out;
}

/** BGL_2k: the label field is cut off before logsieve sees a line; a window is anomalous if any line is. */
function bgl(): Row[] {
  const lines = readFileSync(join(datasets, 'loghub_2k/BGL/BGL_2k.log'), 'utf8')
    .split(/\r?\n/)
    .filter(Boolean);
  const cut = Math.floor(lines.length * 0.5);
  const dir = join(outRoot, 'bgl-data');
  mkdirSync(join(dir, 'test'), { recursive: true });
  const strip = (l: string) => l.slice(l.indexOf(' ') + 1);
  writeFileSync(join(dir, 'bgl.log'), lines.slice(0, cut).map(strip).join('\n') + '\n');
  writeFileSync(join(dir, 'test/bgl.log'), lines.slice(cut).map(strip).join('\n') + '\n');
  const windowSeconds = 86_400;
  const labels = new Map<string, boolean>();
  for (const l of lines.slice(cut)) {
    const t = Number(l.split(' ')[1]) * 1000;
    const start = new Date(t - (t % (windowSeconds * 1000))).toISOString().replace('.000Z', 'Z');
    const key = `${start}/${windowSeconds}s`;
    labels.set(key, (labels.get(key) ?? false) || !l.startsWith('- '));
  }
  return run(
    'BGL_2k',
    [join(dir, 'bgl.log')],
    [join(dir, 'test/bgl.log')],
    ['--window', String(windowSeconds)],
    labels,
    (u) => u.unit,
  );
}

/**
 * Hadoop applications (hadoop_app_labeled): the label is per application, so an application is
 * anomalous when any of its containers is. Unit: one container's log (a session), `container=ID`
 * appended to each of its lines as the session key (container ids also occur inside messages), all lines merged in time order into one stream as a
 * collector would ship them. Training: the normal applications of the first day (five PageRank and
 * two WordCount runs); test: every application started later (the abnormal ones of the first day
 * are used nowhere).
 */
function hadoop(): Row[] {
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
  const testLabels = new Map<string, boolean>();
  for (const app of [...labels.keys()].sort()) {
    const dir = join(src, app);
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const lines = files.flatMap((f) => stamped(readFileSync(join(dir, f), 'utf8'), f.replace(/\.log$/, '')));
    const start = lines.reduce((a, [t]) => (t < a ? t : a), '9999');
    if (start >= cut) {
      testLines.push(...lines);
      testLabels.set(app, labels.get(app)!);
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
  return run(
    'Hadoop apps',
    [join(dir, 'hadoop.log')],
    [join(dir, 'test/hadoop.log')],
    ['--session-key', 'container=(container_\\d+_\\d+_\\d+_\\d+)'],
    testLabels,
    (u) => u.unit.replace(/^container_(\d+_\d+)_.*/, 'application_$1'),
  );
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

function table(rows: Row[]): string {
  const lines = ['| dataset | model | P | R | F1 | TP | FP | FN |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(
      `| ${r.dataset} | ${r.model} | ${r.m.precision.toFixed(3)} | ${r.m.recall.toFixed(3)} | ${r.m.f1.toFixed(3)} | ${r.m.tp} | ${r.m.fp} | ${r.m.fn} |`,
    );
  }
  return lines.join('\n');
}

if (!existsSync(datasets)) {
  console.error(`skipping: ${datasets} is absent (the labelled datasets are not part of the repository)`);
  process.exit(0);
}
const wanted = args;
const all: Record<string, () => Row[]> = { hdfs: hdfsRendered, hdfs2k, bgl, hadoop };
const rows: Row[] = [];
for (const [k, fn] of Object.entries(all)) if (wanted.length === 0 || wanted.includes(k)) rows.push(...fn());
const md = table(rows);
console.log(md);
writeFileSync(join(outRoot, seed === '42' ? 'results.md' : `results-seed${seed}.md`), md + '\n');
