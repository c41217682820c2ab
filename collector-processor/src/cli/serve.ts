import type { Command } from 'commander';
import { CliError } from './cli-error';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the service: OTLP/HTTP 4318, OTLP/gRPC 4317, REST 8080, metrics 9464 (embedded defaults without a config)',
    )
    .option(
      '--config <file>',
      'YAML configuration (docs/config.md); LOGSIEVE_* environment variables override it',
    )
    .option('--model <dir>', 'model bundle to activate at start')
    .option('--data-dir <dir>', 'state folder (default ./.logsieve)')
    // Loaded on use, like train and detect: the service pulls in storage, gRPC and onnxruntime.
    .action(async (o: { config?: string; model?: string; dataDir?: string }) => {
      const [{ loadConfig, ConfigError }, { startService }, { default: pino }] = await Promise.all([
        import('../config/load-config'),
        import('../pipeline/service'),
        import('pino'),
      ]);
      let config;
      try {
        config = loadConfig({
          file: o.config,
          env: process.env,
          overrides: { dataDir: o.dataDir, modelDir: o.model },
        });
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message);
        throw err;
      }
      const log = pino({ level: config.log.level, base: { service: 'logsieve' } });
      const service = await startService(config, log);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down: draining queued records and closing outputs');
        await service.stop();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
    });
}
