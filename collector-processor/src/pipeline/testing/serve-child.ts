/*
 * `logsieve serve` in its own process, configured from LOGSIEVE_* variables, so a test can kill it
 * with SIGKILL like a crashed replica. Prints {"event":"serving","ports":...} on stdout once up;
 * SIGTERM stops it gracefully.
 */
import pino from 'pino';
import { loadConfig } from '../../config/load-config';
import { startService } from '../service';

const service = await startService(
  loadConfig({ env: process.env as Record<string, string> }),
  pino({ level: process.env.LOGSIEVE_TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
);
process.stdout.write(`${JSON.stringify({ event: 'serving', ports: service.ports })}\n`);
process.once('SIGTERM', () => {
  void service.stop().then(() => process.exit(0));
});
