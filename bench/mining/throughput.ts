/**
 * Throughput and peak memory of `npx logsieve templates` (node start-up included, one thread)
 * on >= 1M raw lines: HDFS rendered by ../shared/tools/render_hdfs.py, and the 16 Loghub-2k
 * systems repeated (a folder, one stream per system).
 * Usage: npx tsx bench/mining/throughput.ts [--work DIR] [--runs N] [--parse]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import os from 'node:os';
import { datasetsRoot, repoRoot } from './loghub';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const work = path.resolve(arg('--work', '/tmp/logsieve-bench'));
const runs = Number(arg('--runs', '3'));
const TARGET_LINES = 1_000_000;

function countLines(file: string): number {
  return Number(execFileSync('wc', ['-l', file], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
}

async function concat(out: string, parts: string[], times = 1): Promise<void> {
  const w = createWriteStream(out);
  const bufs = parts.map((p) => {
    const b = readFileSync(p);
    // A part without a final newline would glue its last line to the next part's first.
    return b[b.length - 1] === 10 ? b : Buffer.concat([b, Buffer.from('\n')]);
  });
  for (let t = 0; t < times; t++) for (const b of bufs) if (!w.write(b)) await once(w, 'drain');
  w.end();
  await once(w, 'finish');
}

/** Raw HDFS lines: train + test of render_hdfs.py, scaled until there are >= 1M. */
async function hdfsInput(): Promise<string> {
  const file = path.join(work, 'hdfs-1m.log');
  if (existsSync(file)) return file;
  const out = path.join(work, 'hdfs-render');
  execFileSync(
    'python3',
    [path.resolve(repoRoot, '../shared/tools/render_hdfs.py'), '--out', out, '--scale', '9'],
    { stdio: 'inherit' },
  );
  await concat(file, [path.join(out, 'train.log'), path.join(out, 'test.log')]);
  return file;
}

/** The 16 Loghub-2k systems, each file repeated to 1/16 of 1M lines, one file per system. */
async function loghubInput(): Promise<string> {
  const dir = path.join(work, 'loghub-mix');
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  const root = path.join(datasetsRoot, 'loghub_2k_corrected');
  const systems = readdirSync(root).filter((s) => existsSync(path.join(root, s, `${s}_2k.log`)));
  const repeat = Math.ceil(TARGET_LINES / (systems.length * 2000));
  for (const s of systems)
    await concat(path.join(dir, `${s}.log`), [path.join(root, s, `${s}_2k.log`)], repeat);
  return dir;
}

function lines(input: string): number {
  if (!statSync(input).isDirectory()) return countLines(input);
  return readdirSync(input).reduce((n, f) => n + countLines(path.join(input, f)), 0);
}

interface Run {
  wallS: number;
  /** User + system CPU seconds: what the run cost, whatever else shares the machine. */
  cpuS: number;
  rssMb: number;
}

function measure(args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-v', 'npx', 'logsieve', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`logsieve ${args.join(' ')} failed: ${r.stderr}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr)!;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)!;
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr)!;
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr)!;
  return {
    wallS: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    cpuS: Number(user[1]) + Number(sys[1]),
    rssMb: Number(rss[1]) / 1024,
  };
}

mkdirSync(work, { recursive: true });
const inputs: [string, string][] = [['HDFS raw (render_hdfs.py)', await hdfsInput()]];
if (existsSync(path.join(datasetsRoot, 'loghub_2k_corrected')))
  inputs.push(['Loghub-2k 16 systems repeated (16 streams)', await loghubInput()]);
else console.log('loghub_2k_corrected not found under ../shared/datasets: Loghub mix skipped');

const commands: [string, (input: string) => string[]][] = [['templates', (i) => ['templates', '--input', i]]];
if (process.argv.includes('--parse'))
  commands.push(['parse', (i) => ['parse', '--input', i, '--out', path.join(work, 'parse.jsonl')]]);

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average before the runs: ${load} (${os.cpus().length} cores)`);
console.log(
  `\n| command | input | lines | best wall s (of ${runs}) | lines/s (wall) | CPU s | lines per CPU s | peak RSS MB |\n|---|---|---:|---:|---:|---:|---:|---:|`,
);
for (const [label, input] of inputs) {
  const n = lines(input);
  for (const [name, args] of commands) {
    const all = Array.from({ length: runs }, () => measure(args(input)));
    const best = all.reduce((a, b) => (b.wallS < a.wallS ? b : a));
    const rss = Math.max(...all.map((r) => r.rssMb));
    const cpu = Math.min(...all.map((r) => r.cpuS));
    console.log(
      `| ${name} | ${label} | ${n} | ${best.wallS.toFixed(2)} | ${Math.round(n / best.wallS)} | ${cpu.toFixed(2)} | ${Math.round(n / cpu)} | ${rss.toFixed(0)} |`,
    );
  }
}
