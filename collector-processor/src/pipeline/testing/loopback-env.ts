import { freePort } from '../../emit/testing/free-port';

/**
 * LOGSIEVE_* variables for a test service on loopback: every listener on its own free port, then
 * `env` for the rest of the configuration.
 */
export async function loopbackEnv(env: Record<string, string> = {}): Promise<Record<string, string>> {
  const all: Record<string, string> = { LOGSIEVE_SERVER__HOST: '127.0.0.1' };
  for (const k of ['REST', 'OTLP_HTTP', 'OTLP_GRPC', 'METRICS'])
    all[`LOGSIEVE_SERVER__PORTS__${k}`] = String(await freePort());
  return { ...all, ...env };
}
