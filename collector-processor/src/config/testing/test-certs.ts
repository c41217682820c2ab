import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCerts {
  dir: string;
  /** File paths, as the configuration names them. */
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
  ca: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  remove(): void;
}

/**
 * A throwaway CA with a server certificate for 127.0.0.1/localhost and a client certificate,
 * made by the `openssl` command line at test time (nothing secret is kept in the repository).
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(path.join(tmpdir(), 'logsieve-certs-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=logsieve test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  const issue = (name: string, subject: string, ext: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
    );
    writeFileSync(f(`${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.pem`),
    );
  };
  issue(
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', '/CN=collector', 'extendedKeyUsage=clientAuth\n');
  const files = {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
  return {
    dir,
    files,
    ca: readFileSync(files.ca),
    clientCert: readFileSync(files.clientCert),
    clientKey: readFileSync(files.clientKey),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
