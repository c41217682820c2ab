import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Captured {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status it was answered with. */
  status: number;
}

/** An HTTP server on loopback that records every request and answers `status()` (200 by default). */
export async function startCaptureServer(status: () => number = () => 200) {
  const requests: Captured[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.statusCode = status();
      requests.push({ path: req.url ?? '', headers: req.headers, body, status: res.statusCode });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
