import { Command } from 'commander';
import { describeError } from './cli-error';
import { registerParse } from './parse';
import { registerTemplates } from './templates';
import { registerTrain } from './train';
import { registerDetect } from './detect';
import { registerDemo } from './demo';
import { registerServe } from './serve';

const program = new Command('logsieve')
  .description(
    'Log anomaly detection: template mining, five-model ensemble, OTLP/Prometheus/Alertmanager outputs',
  )
  .version('0.1.0')
  .showHelpAfterError(false);

registerParse(program);
registerTemplates(program);
registerTrain(program);
registerDetect(program);
registerDemo(program);
registerServe(program);
(await import('./keys')).registerKeys(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // One line on stderr and a non-zero exit; LOGSIEVE_DEBUG=1 shows the stack.
  if (process.env['LOGSIEVE_DEBUG']) throw err;
  process.stderr.write(`logsieve: ${describeError(err)}\n`);
  process.exit((err as { exitCode?: number }).exitCode ?? 1);
}
