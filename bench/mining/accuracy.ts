/**
 * Group accuracy of logsieve's decoders + miner on raw Loghub-2k lines (header included), one
 * configuration for every system. Usage: npx tsx bench/mining/accuracy.ts [--show SYSTEM]
 */
import { readFileSync } from 'node:fs';
import { createStreamDecoder } from '../../collector-processor/src/decode/stream-decoder';
import { PROFILE_LINES } from '../../collector-processor/src/decode/header-scan';
import { TemplateMiner } from '../../collector-processor/src/mine/template-miner';
import { groupAccuracy, loadSystems, type LoghubSystem } from './loghub';

function predict(sys: LoghubSystem): { predicted: string[]; bodies: string[] } {
  const lines = readFileSync(sys.logFile, 'utf8').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const decoder = createStreamDecoder(sys.name);
  // As the CLI does: the first lines of the stream teach the decoder its header columns.
  decoder.prime(lines.slice(0, PROFILE_LINES));
  const miner = new TemplateMiner();
  const clusters = lines.map((line, i) => {
    const rec = decoder.decode(line, i + 1);
    return rec ? miner.add(rec.body) : null;
  });
  const bodies = lines.map((l, i) => decoder.decode(l, i + 1)?.body ?? '');
  if (process.env.SHOW_HEADERS)
    for (const l of lines.slice(0, 3)) console.log(JSON.stringify(decoder.decode(l, 0)));
  // Templates generalise while lines arrive: group by the final cluster of each line.
  return { predicted: clusters.map((c, i) => (c ? c.resolved.id : `malformed-${i}`)), bodies };
}

const show =
  process.argv.indexOf('--show') > 0 ? process.argv[process.argv.indexOf('--show') + 1] : undefined;

for (const dataset of ['loghub_2k_corrected', 'loghub2_2k']) {
  const systems = loadSystems(dataset);
  if (!systems.length) {
    console.log(`${dataset}: not found under ../shared/datasets, skipped`);
    continue;
  }
  console.log(
    `\n${dataset}\n| system | lines | truth groups | found groups | group accuracy |\n|---|---:|---:|---:|---:|`,
  );
  let sum = 0;
  let min = 1;
  for (const sys of systems) {
    const { predicted, bodies } = predict(sys);
    const acc = groupAccuracy(predicted, sys.events);
    sum += acc;
    min = Math.min(min, acc);
    console.log(
      `| ${sys.name} | ${sys.events.length} | ${new Set(sys.events).size} | ${new Set(predicted).size} | ${acc.toFixed(3)} |`,
    );
    if (show === sys.name) explain(predicted, sys.events, bodies);
  }
  console.log(`| **mean** | | | | **${(sum / systems.length).toFixed(3)}** (min ${min.toFixed(3)}) |`);
}

/** Prints the wrongly grouped: truth groups split across predictions, predictions mixing truths. */
function explain(predicted: string[], truth: string[], bodies: string[]): void {
  const byTruth = new Map<string, Map<string, number[]>>();
  truth.forEach((t, i) => {
    let m = byTruth.get(t);
    if (!m) byTruth.set(t, (m = new Map()));
    const l = m.get(predicted[i]!) ?? [];
    l.push(i);
    m.set(predicted[i]!, l);
  });
  const byPred = new Map<string, Set<string>>();
  predicted.forEach((p, i) => byPred.set(p, (byPred.get(p) ?? new Set()).add(truth[i]!)));
  for (const [t, m] of byTruth) {
    if (m.size > 1) {
      console.log(`SPLIT ${t}:`);
      for (const l of m.values()) console.log(`   ${l.length}x ${bodies[l[0]!]!.slice(0, 160)}`);
    }
  }
  for (const [p, ts] of byPred) {
    if (ts.size > 1) {
      console.log(`MERGED ${p} <- ${[...ts].join(',')}:`);
      for (const t of ts) {
        const i = truth.findIndex((x, k) => x === t && predicted[k] === p);
        console.log(`   ${t}: ${bodies[i]!.slice(0, 160)}`);
      }
    }
  }
}
