import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';
import type { Config } from './config-schema';

/*
 * Reads the certificate files the configuration names and shapes them for the clients and servers
 * that use them. A file that cannot be read stops start-up with the key that names it.
 */

/** node:tls server options, shared by the HTTPS listeners and (converted) the gRPC one. */
export interface TlsServerOptions {
  cert: Buffer;
  key: Buffer;
  /** Present with server.tls.caFile: every client must show a certificate this CA signed. */
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

function read(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`config: ${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/** server.tls; null when the listeners speak plain text. */
export function readServerTls(tls: Config['server']['tls']): TlsServerOptions | null {
  if (!tls.certFile || !tls.keyFile) return null;
  const cert = read(tls.certFile, 'server.tls.certFile');
  const key = read(tls.keyFile, 'server.tls.keyFile');
  const ca = tls.caFile ? read(tls.caFile, 'server.tls.caFile') : undefined;
  const mutual = ca !== undefined && tls.requireClientCert;
  return { cert, key, ...(ca ? { ca } : {}), requestCert: mutual, rejectUnauthorized: mutual };
}

/** ingest.kafka.tls / sasl as kafkajs client options (used by the consumer and outputs.kafka). */
export function kafkaSecurity(
  kafka: Pick<Config['ingest']['kafka'], 'tls' | 'sasl'>,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = kafka;
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (tls.enabled) {
    const ca = tls.caFile ? read(tls.caFile, 'ingest.kafka.tls.caFile') : undefined;
    const cert = tls.certFile ? read(tls.certFile, 'ingest.kafka.tls.certFile') : undefined;
    const key = tls.keyFile ? read(tls.keyFile, 'ingest.kafka.tls.keyFile') : undefined;
    // Certificates are always verified; a private CA goes in caFile, never rejectUnauthorized: false.
    out.ssl = {
      rejectUnauthorized: true,
      ...(ca ? { ca: [ca] } : {}),
      ...(cert && key ? { cert, key } : {}),
    };
  }
  if (sasl.mechanism) {
    out.sasl = {
      mechanism: sasl.mechanism,
      username: sasl.username!,
      password: sasl.password!,
    } as KafkaConfig['sasl'];
  }
  return out;
}

/** cache.caFile: TLS options for ioredis with a rediss:// URL and a private CA. */
export function redisTls(caFile: string | null | undefined): { ca: Buffer } | undefined {
  return caFile ? { ca: read(caFile, 'cache.caFile') } : undefined;
}
