import type { Command } from 'commander';
import { unitSpecFromFlags } from '../pipeline/unit-spec';
import { CliError, asCliError } from './cli-error';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the five models on logs and write a model bundle')
    .requiredOption(
      '--input <path...>',
      'log files or folders (a folder: every file in it, one stream per file), - for stdin',
    )
    .requiredOption('--out <dir>', 'bundle folder to write')
    .option('--session-key <regex>', 'unit = session keyed by this regex (HDFS: blk_-?\\d+)')
    .option('--window <seconds>', 'unit = tumbling window of this many seconds per stream (default 60)')
    .option('--false-alarm-rate <rate>', 'expected fraction of normal units flagged', '0.001')
    .option('--seed <n>', 'random seed', '42')
    .option('-q, --quiet', 'no progress on stderr')
    // Loaded on use: the models pull in onnxruntime, which `parse` and `templates` never need.
    .action(
      async (o: {
        input: string[];
        out: string;
        sessionKey?: string;
        window?: string;
        falseAlarmRate: string;
        seed: string;
        quiet?: boolean;
      }) => {
        const far = Number(o.falseAlarmRate);
        if (!(far > 0 && far < 0.5))
          throw new CliError(`--false-alarm-rate must be in (0, 0.5), got ${o.falseAlarmRate}`);
        const s = await asCliError(async () =>
          (await import('../pipeline/trainer')).train({
            inputs: o.input,
            out: o.out,
            unit: unitSpecFromFlags(o),
            seed: Number(o.seed),
            falseAlarmRate: far,
            log: o.quiet ? undefined : (m) => process.stderr.write(`logsieve train: ${m}\n`),
          }),
        );
        process.stdout.write(
          `trained bundle ${s.version}: ${s.units} units (${s.heldOutUnits} held back), ${s.templates} templates, ` +
            `${s.streams} streams, ${s.lines} lines${s.malformed ? ` (${s.malformed} malformed skipped)` : ''} in ${s.seconds} s -> ${o.out}\n`,
        );
      },
    );
}
