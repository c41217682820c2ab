import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { Unit } from '../features/unit';
import type { UnitResult } from '../pipeline/detector';
import { asCliError } from './cli-error';
import { generateDemo } from './demo/demo-generator';
import { renderReport, type Finding } from './demo/demo-report';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'generate multi-service logs with incidents, train on the quiet part, detect on the rest, print a report',
    )
    .option('--out <dir>', 'where to write the logs, the bundle and the anomalies (default: a temp folder)')
    .option('--seed <n>', 'generator seed', '7')
    .action(async (o: { out?: string; seed: string }) => {
      const t0 = performance.now();
      const [{ train }, { detect }] = await Promise.all([
        import('../pipeline/trainer'),
        import('../pipeline/detector'),
      ]);
      const dir = o.out ?? (await mkdtemp(join(tmpdir(), 'logsieve-demo-')));
      const data = await generateDemo(dir, { seed: Number(o.seed) });
      const model = join(dir, 'model');
      const trained = await asCliError(() =>
        train({ inputs: [data.trainDir], out: model, unit: { kind: 'window', windowSeconds: 60 } }),
      );
      const findings: Finding[] = [];
      const detected = await asCliError(() =>
        detect({
          model,
          inputs: [data.testDir],
          out: join(dir, 'anomalies.jsonl'),
          onResult: (r: UnitResult, u: Unit) => {
            if (r.anomaly) findings.push({ result: r, lines: evidence(r, u) });
          },
        }),
      );
      process.stdout.write(
        renderReport({ dir, data, trained, detected, findings, seconds: (performance.now() - t0) / 1000 }),
      );
    });
}

/** The lines a person should read first: those of the templates that drove the score. */
function evidence(r: UnitResult, u: Unit): string[] {
  const out: string[] = [];
  for (const e of r.explanation.unexpectedEvents) if (e.line && !out.includes(e.line)) out.push(e.line);
  for (const t of r.explanation.topTemplates) {
    const line = u.examples.get(t.templateId);
    if (line && !out.includes(line)) out.push(line);
  }
  return out.slice(0, 3);
}
