import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from './cli-error';
import { resolveInputs } from '../ingest/file-input';
import type { Cluster } from '../mine/cluster';
import { MiningRun } from '../mine/mine-inputs';

/** Output lines buffered before a write (fewer syscalls, bounded memory). */
const FLUSH_CHARS = 1 << 20;

function openOut(file: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    out.once('open', () => resolve(out));
    out.once('error', (err) => reject(new CliError(`cannot write ${file}: ${err.message}`)));
  });
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((ok) => out.once('drain', () => ok()));
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('decode and template every line; write one JSON object per input line, in input order')
    .requiredOption(
      '--input <path...>',
      'log files, folders (every file in them) or - for stdin; .gz read transparently',
    )
    .requiredOption('--out <file>', 'JSON lines output file')
    .action(async (opts: { input: string[]; out: string }) => {
      const sources = resolveInputs(opts.input);
      const run = new MiningRun(true);
      // Pass 1 learns; templates keep generalising, so each line's cluster is kept and its
      // final template written in pass 2.
      const assigned = new Map<string, (Cluster | null)[]>();
      await run.learn(sources, (src, lineNo, _rec, cluster) => {
        let list = assigned.get(src.path);
        if (!list) assigned.set(src.path, (list = []));
        list[lineNo - 1] = cluster;
      });
      const out = await openOut(opts.out);
      let buf = '';
      for (const src of sources) {
        const clusters = assigned.get(src.path) ?? [];
        const miner = run.miner(src.stream);
        const flush = async () => {
          if (buf.length > FLUSH_CHARS) {
            await write(out, buf);
            buf = '';
          }
        };
        await run.replay(
          src,
          (lineNo, rec) => {
            // Clusters merged after the line was mined hand it to the cluster they joined.
            const c = clusters[lineNo - 1]?.resolved ?? null;
            buf += `${JSON.stringify({
              stream: src.stream,
              line: lineNo,
              time: rec?.timeMs != null ? new Date(rec.timeMs).toISOString() : null,
              severity: rec?.severityText ? rec.severityText.toUpperCase() : null,
              template_id: c ? c.id : null,
              template: c ? c.template : null,
              params: rec && c ? miner.params(rec.body, c) : [],
            })}\n`;
          },
          flush,
        );
      }
      if (buf) await write(out, buf);
      await new Promise<void>((ok, fail) =>
        out.end((err?: Error | null) =>
          err ? fail(new CliError(`cannot write ${opts.out}: ${err.message}`)) : ok(),
        ),
      );
      process.stderr.write(`${run.summary()}\n`);
    });
}
