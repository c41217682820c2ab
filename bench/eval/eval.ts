/**
 * Detection evaluation on real labelled logs and the project's own hard scenario: train on earlier
 * data, detect on later data with the threshold the bundle chose from training data alone, report
 * P/R/F1 per model (every model the detect output names) and for the ensemble, the realised
 * false-alarm rate per stream, and the reference script (baseline-script.ts) on the same units.
 *
 * Usage: npx tsx bench/eval/eval.ts [hdfs] [hdfs2k] [bgl] [thunderbird] [hadoop] [bglsamples] [scenario]
 *          [--seed N] [--train-abnormal N]
 * The whole matrix of issue 16: npx tsx bench/eval/run-all.ts (writes bench/eval/results.md).
 * LOGSIEVE_ROOT=DIR measures another checkout's CLI (e.g. a snapshot of HEAD) with this harness.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasets, evaluate, outRoot, slug, type Result } from './core';
import { DATASETS, type DatasetOptions } from './datasets';
import { renderResults } from './table';

/** Runs one dataset and stores its result as JSON (run-all.ts reads these back). */
export function runOne(key: string, o: DatasetOptions): Result {
  const make = DATASETS[key];
  if (!make) throw new Error(`unknown dataset ${key}; known: ${Object.keys(DATASETS).join(', ')}`);
  const r = evaluate(make(o), o.seed);
  mkdirSync(join(outRoot, 'results'), { recursive: true });
  writeFileSync(resultFile(key, o), JSON.stringify(r, null, 1) + '\n');
  return r;
}

export function resultFile(key: string, o: DatasetOptions): string {
  return join(outRoot, 'results', `${slug(key)}-seed${o.seed}-abn${o.trainAbnormal}.json`);
}

function flag(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1]! : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(datasets)) {
    console.error(`skipping: ${datasets} is absent (the labelled datasets are not part of the repository)`);
    process.exit(0);
  }
  const args = process.argv.slice(2);
  const o = { seed: flag(args, '--seed', '42'), trainAbnormal: flag(args, '--train-abnormal', '0') };
  const keys = args.length ? args : Object.keys(DATASETS);
  const results = keys.map((k) => runOne(k, o));
  const md = renderResults(results);
  console.log(md);
  writeFileSync(join(outRoot, `results-${keys.join('-')}-seed${o.seed}-abn${o.trainAbnormal}.md`), md);
}
