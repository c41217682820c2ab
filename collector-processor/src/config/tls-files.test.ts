import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaSink } from '../emit/kafka-sink';
import { sampleEvent } from '../emit/testing/sample-event';
import { configSchema } from './config-schema';
import { ConfigError, loadConfig } from './load-config';
import { makeTestCerts, type TestCerts } from './testing/test-certs';
import { kafkaSecurity, readServerTls, redisTls } from './tls-files';

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs?.remove());

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('TLS and SASL configuration', () => {
  it('refuses incomplete or contradictory settings, naming the key', () => {
    expect(configError({ LOGSIEVE_SERVER__TLS__CERT_FILE: '/c.pem' })).toContain('server.tls.keyFile');
    expect(configError({ LOGSIEVE_SERVER__TLS__CA_FILE: '/ca.pem' })).toContain('server.tls.certFile');
    expect(configError({ LOGSIEVE_SERVER__TLS__REQUIRE_CLIENT_CERT: 'true' })).toContain('server.tls.caFile');
    expect(
      configError({
        LOGSIEVE_SERVER__TLS__CERT_FILE: '/c.pem',
        LOGSIEVE_SERVER__TLS__KEY_FILE: '/k.pem',
        LOGSIEVE_SERVER__TLS__CA_FILE: '/ca.pem',
      }),
    ).toContain('server.tls.requireClientCert');
    expect(configError({ LOGSIEVE_INGEST__KAFKA__TLS__CA_FILE: '/ca.pem' })).toContain(
      'ingest.kafka.tls.enabled',
    );
    expect(configError({ LOGSIEVE_INGEST__KAFKA__SASL__MECHANISM: 'scram-sha-512' })).toContain(
      'ingest.kafka.sasl.username',
    );
    expect(configError({ LOGSIEVE_INGEST__KAFKA__SASL__MECHANISM: 'gssapi' })).toContain(
      'ingest.kafka.sasl.mechanism',
    );
    expect(
      configError({
        LOGSIEVE_CACHE__KIND: 'redis',
        LOGSIEVE_CACHE__URL: 'redis://cache:6379',
        LOGSIEVE_CACHE__CA_FILE: '/ca.pem',
      }),
    ).toContain('cache.caFile');
  });

  it('reads the listener certificate, and asks for client certificates only with caFile', () => {
    const tlsOf = (t: object) => readServerTls(configSchema.parse({ server: { tls: t } }).server.tls);
    expect(tlsOf({})).toBeNull();
    const plain = tlsOf({ certFile: certs.files.serverCert, keyFile: certs.files.serverKey })!;
    expect(plain.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(plain.key.toString()).toContain('PRIVATE KEY');
    expect(plain).toMatchObject({ requestCert: false, rejectUnauthorized: false });
    expect(plain.ca).toBeUndefined();
    const mutual = tlsOf({
      certFile: certs.files.serverCert,
      keyFile: certs.files.serverKey,
      caFile: certs.files.ca,
      requireClientCert: true,
    })!;
    expect(mutual).toMatchObject({ requestCert: true, rejectUnauthorized: true, ca: certs.ca });
    expect(() => tlsOf({ certFile: '/nonexistent/c.pem', keyFile: certs.files.serverKey })).toThrow(
      /server\.tls\.certFile: cannot read \/nonexistent\/c\.pem \(ENOENT\)/,
    );
  });

  it('gives kafkajs ssl and sasl options, and redis a CA, from the configuration', () => {
    const kafka = (k: object) => kafkaSecurity(configSchema.parse({ ingest: { kafka: k } }).ingest.kafka);
    expect(kafka({})).toEqual({});
    expect(kafka({ tls: { enabled: true } })).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(
      kafka({
        tls: {
          enabled: true,
          caFile: certs.files.ca,
          certFile: certs.files.clientCert,
          keyFile: certs.files.clientKey,
        },
        sasl: { mechanism: 'scram-sha-256', username: 'logsieve', password: 's3cret' },
      }),
    ).toEqual({
      ssl: { rejectUnauthorized: true, ca: [certs.ca], cert: certs.clientCert, key: certs.clientKey },
      sasl: { mechanism: 'scram-sha-256', username: 'logsieve', password: 's3cret' },
    });
    expect(redisTls(null)).toBeUndefined();
    expect(redisTls(certs.files.ca)).toEqual({ ca: certs.ca });
  });

  it('makes the Kafka client verify the broker with caFile and present its client certificate', async () => {
    // No TLS Kafka broker runs here (the librdkafka mock cluster speaks plain text), so a TLS
    // server that demands a client certificate stands in for the broker's TLS listener; the
    // handshake itself is what is checked.
    const seen: { authorized: boolean; cn: unknown }[] = [];
    const server = tls.createServer(
      {
        cert: readFileSync(certs.files.serverCert),
        key: readFileSync(certs.files.serverKey),
        ca: certs.ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        seen.push({ authorized: socket.authorized, cn: socket.getPeerCertificate().subject?.CN });
        socket.destroy();
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const security = kafkaSecurity(
      configSchema.parse({
        ingest: {
          kafka: {
            tls: {
              enabled: true,
              caFile: certs.files.ca,
              certFile: certs.files.clientCert,
              keyFile: certs.files.clientKey,
            },
          },
        },
      }).ingest.kafka,
    );
    const sink = new KafkaSink({ brokers: [`localhost:${port}`], retries: 0, security });
    await expect(sink.emit([sampleEvent('e1')])).rejects.toThrow();
    await sink.close();
    server.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toEqual({ authorized: true, cn: 'collector' });
  }, 30_000);
});
