/**
 * Writes the issue-16 scenario: DIR/train/<stream>, DIR/test/<stream>, DIR/labels.json.
 * Usage: npx tsx bench/eval/scenario/cli.ts --out DIR [--seed N] [--train-days N] [--scale X]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateScenario, type Scenario } from './generate';

export function writeScenario(s: Scenario, dir: string): void {
  for (const part of ['train', 'test'] as const) {
    mkdirSync(join(dir, part), { recursive: true });
    for (const [stream, lines] of Object.entries(s[part]))
      writeFileSync(join(dir, part, stream), lines.join('\n') + (lines.length ? '\n' : ''));
  }
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(s.labels, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: '16' },
      'train-days': { type: 'string', default: '2' },
      scale: { type: 'string', default: '1' },
    },
  });
  if (!values.out) {
    console.error('usage: cli.ts --out DIR [--seed N] [--train-days N] [--scale X]');
    process.exit(2);
  }
  const s = generateScenario({
    seed: Number(values.seed),
    trainDays: Number(values['train-days']),
    scale: Number(values.scale),
  });
  writeScenario(s, values.out);
  const count = (p: Record<string, string[]>) => Object.values(p).reduce((a, l) => a + l.length, 0);
  console.error(
    `scenario seed ${values.seed}: ${count(s.train)} training and ${count(s.test)} test lines -> ${values.out}`,
  );
}
