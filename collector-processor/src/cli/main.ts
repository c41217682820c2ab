import { Command } from 'commander';
import { registerParse } from './parse';
import { registerTemplates } from './templates';
import { CliError } from './cli-error';

const program = new Command('logsieve')
  .description('Log anomaly detection: template mining, five-model ensemble, OTLP/Prometheus/Alertmanager outputs')
  .version('0.1.0')
  .showHelpAfterError(false);

registerParse(program);
registerTemplates(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // One line on stderr and a non-zero exit for every expected failure; stacks only for bugs.
  if (err instanceof CliError) {
    process.stderr.write(`logsieve: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
