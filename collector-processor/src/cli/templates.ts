import type { Command } from 'commander';
import { resolveInputs } from '../ingest/file-input';
import { MiningRun } from '../mine/mine-inputs';

interface TemplateRow {
  stream: string;
  id: string;
  template: string;
  count: number;
  example: string;
}

const EXAMPLE_CHARS = 160;

function table(rows: TemplateRow[], total: number): string {
  const multi = new Set(rows.map((r) => r.stream)).size > 1;
  const countWidth = Math.max(5, ...rows.map((r) => String(r.count).length));
  const out = [
    `${'COUNT'.padStart(countWidth)}  SHARE   ID                ${multi ? 'STREAM  ' : ''}TEMPLATE`,
  ];
  for (const r of rows) {
    const share = `${((100 * r.count) / Math.max(1, total)).toFixed(1)}%`.padStart(6);
    out.push(
      `${String(r.count).padStart(countWidth)}  ${share}  ${r.id}  ${multi ? `${r.stream}  ` : ''}${r.template}`,
    );
    const example = r.example.length > EXAMPLE_CHARS ? `${r.example.slice(0, EXAMPLE_CHARS)}...` : r.example;
    out.push(`${' '.repeat(countWidth + 28)}e.g. ${example}`);
  }
  return out.join('\n') + '\n';
}

export function registerTemplates(program: Command): void {
  program
    .command('templates')
    .description('mine log templates and print them, largest first, with counts and an example line')
    .requiredOption(
      '--input <path...>',
      'log files, folders (every file in them) or - for stdin; .gz read transparently',
    )
    .option('--json', 'print a JSON array instead of a table')
    .action(async (opts: { input: string[]; json?: boolean }) => {
      const sources = resolveInputs(opts.input);
      const run = new MiningRun(false, false);
      await run.learn(sources);
      const rows: TemplateRow[] = [];
      for (const [stream, miner] of run.miners)
        for (const t of miner.templates()) rows.push({ stream, ...t });
      rows.sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
      const mined = run.counts.lines - run.counts.malformed;
      process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 1)}\n` : table(rows, mined));
      process.stderr.write(`${run.summary()}\n`);
    });
}
