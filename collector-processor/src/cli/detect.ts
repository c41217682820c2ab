import type { Command } from 'commander';
import { unitSpecFromFlags } from '../pipeline/unit-spec';
import { asCliError } from './cli-error';

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'score logs with a model bundle; writes one JSON line per anomalous unit (--all: every unit)',
    )
    .requiredOption('--model <dir>', 'model bundle written by `logsieve train`')
    .requiredOption('--input <path...>', 'log files or folders, - for stdin')
    .requiredOption('--out <file>', 'JSON lines output')
    .option('--session-key <regex>', "must match the bundle (default: the bundle's unit)")
    .option('--window <seconds>', "must match the bundle (default: the bundle's unit)")
    .option('--all', 'write every unit, not only anomalies')
    .option('-q, --quiet', 'no summary on stderr')
    // Loaded on use: the models pull in onnxruntime, which `parse` and `templates` never need.
    .action(
      async (o: {
        model: string;
        input: string[];
        out: string;
        sessionKey?: string;
        window?: string;
        all?: boolean;
        quiet?: boolean;
      }) => {
        const unit = o.sessionKey !== undefined || o.window !== undefined ? unitSpecFromFlags(o) : undefined;
        const s = await asCliError(async () =>
          (await import('../pipeline/detector')).detect({
            model: o.model,
            inputs: o.input,
            out: o.out,
            unit,
            all: o.all,
          }),
        );
        if (!o.quiet) {
          process.stderr.write(
            `logsieve detect: ${s.units} units, ${s.anomalies} anomalous, ${s.lines} lines` +
              `${s.malformed ? ` (${s.malformed} malformed skipped)` : ''}` +
              `${s.late ? ` (${s.late} late: their window had closed)` : ''} in ${s.seconds.toFixed(1)} s ` +
              `(${Math.round(s.lines / s.seconds)} lines/s) -> ${o.out}\n`,
          );
        }
      },
    );
}
