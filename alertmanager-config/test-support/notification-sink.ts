import { createServer, type Server } from 'node:http';

export interface Notification {
  path: string;
  body: Record<string, unknown>;
}

/** An HTTP server that records every JSON POST, standing in for PagerDuty, Slack and a ticket webhook. */
export class NotificationSink {
  readonly received: Notification[] = [];
  private server: Server | null = null;

  async listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        this.received.push({
          path: req.url ?? '',
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        });
        // PagerDuty's Events API answers 202; Slack and webhooks accept any 2xx.
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
      });
    });
    await new Promise<void>((done) => this.server!.listen(port, '127.0.0.1', done));
  }

  on(path: string): Notification[] {
    return this.received.filter((n) => n.path === path);
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}
