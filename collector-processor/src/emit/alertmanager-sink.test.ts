import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFor, AlertmanagerSink } from './alertmanager-sink';
import { startCaptureServer } from './testing/capture-server';
import { waitFor } from './testing/daemon';
import { sampleEvent } from './testing/sample-event';
import {
  alertmanagerSkipReason,
  createTestAlertmanager,
  type Notification,
  type TestAlertmanager,
} from './testing/test-alertmanager';

describe('alertFor', () => {
  it('labels the alert for routing and links it to the Grafana app', () => {
    const e = sampleEvent('abc', 'checkout', 93, Date.UTC(2026, 10, 24, 10));
    const now = Date.UTC(2026, 10, 24, 12);
    const a = alertFor(e, 'http://grafana:3000/a/logsieve-anomaly-app/', 15 * 60_000, now);
    expect(a.labels).toEqual({
      alertname: 'LogAnomaly',
      service: 'checkout',
      severity: 'critical',
      anomaly_id: 'abc',
    });
    expect(a.annotations).toMatchObject({
      summary: 'checkout: payment errors 40x above normal',
      score: '93',
      grafana_url: 'http://grafana:3000/a/logsieve-anomaly-app/anomalies/abc',
    });
    expect(a.annotations.explanation).toContain('payment <*> failed: timeout (count 120, expected 3)');
    expect(a.startsAt).toBe(e.start);
    // The unit ended two hours ago: the alert must still be firing now and resolve 15 min later.
    expect(a.endsAt).toBe(new Date(now + 15 * 60_000).toISOString());
  });
});

describe('AlertmanagerSink without Alertmanager', () => {
  it('keeps alerts queued, bounded, and retries them in the background', async () => {
    let status = 503;
    const am = await startCaptureServer(() => status);
    const sink = new AlertmanagerSink({
      url: am.url,
      grafanaUrl: 'http://g',
      maxQueue: 2,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    try {
      await expect(sink.emit([sampleEvent('e1'), sampleEvent('e2'), sampleEvent('e3')])).rejects.toThrow(
        /503/,
      );
      expect([sink.pending, sink.dropped]).toEqual([2, 1]);
      status = 200;
      await waitFor(async () => (sink.pending === 0 ? true : undefined), 5000, 'the retry');
      const last = JSON.parse(am.requests.at(-1)!.body) as { labels: { anomaly_id: string } }[];
      expect(last.map((a) => a.labels.anomaly_id)).toEqual(['e2', 'e3']);
      expect(am.requests.at(-1)!.path).toBe('/api/v2/alerts');
    } finally {
      await sink.close();
      await am.close();
    }
  });

  it('restores the alerts of anomalies raised before a restart that have not resolved', async () => {
    const am = await startCaptureServer();
    const sink = new AlertmanagerSink({ url: am.url, grafanaUrl: 'http://g', resendMs: 0 });
    const now = Date.now();
    const raised = (id: string, agoMs: number, label?: 'false_positive') => ({
      ...sampleEvent(id, 'checkout', 93, now - 10 * 3600_000),
      createdAt: new Date(now - agoMs).toISOString(),
      feedback: label ? { label, actor: 'key:sre', at: new Date(now).toISOString() } : null,
    });
    let asked = 0;
    try {
      await sink.restore(async (ms) => {
        asked = ms;
        // Newest first, as storage lists them; fp is marked a false positive, stale has resolved.
        return [
          raised('new', 60_000),
          raised('fp', 120_000, 'false_positive'),
          raised('old', 14 * 60_000),
          raised('stale', 16 * 60_000),
        ];
      });
      // From the sink's own clock, a moment after `now`: the last 15 min.
      expect(asked).toBeGreaterThanOrEqual(now - 15 * 60_000);
      expect(asked).toBeLessThanOrEqual(Date.now() - 15 * 60_000);
      const sent = JSON.parse(am.requests[0]!.body) as { labels: { anomaly_id: string }; endsAt: string }[];
      expect(sent.map((a) => a.labels.anomaly_id)).toEqual(['old', 'new']);
      // Ends 15 min after it was raised, not after the restart.
      expect(Date.parse(sent[0]!.endsAt)).toBe(now - 14 * 60_000 + 15 * 60_000);
      expect(am.requests).toHaveLength(1);
    } finally {
      await sink.close();
      await am.close();
    }
  });

  it('sends firing alerts again until they resolve', async () => {
    const am = await startCaptureServer();
    const sink = new AlertmanagerSink({ url: am.url, grafanaUrl: 'http://g', resendMs: 100 });
    try {
      await sink.emit([sampleEvent('e1')]);
      await waitFor(async () => (am.requests.length >= 3 ? true : undefined), 5000, 'two resends');
      const sent = am.requests.map((r) => JSON.parse(r.body) as { labels: { anomaly_id: string } }[]);
      expect(sent.slice(0, 3).map((b) => b.map((a) => a.labels.anomaly_id))).toEqual([
        ['e1'],
        ['e1'],
        ['e1'],
      ]);
      expect(sent[1]).toEqual(sent[0]);
    } finally {
      await sink.close();
      await am.close();
    }
  });

  it('drops alerts Alertmanager rejects as malformed instead of retrying forever', async () => {
    const am = await startCaptureServer(() => 400);
    const sink = new AlertmanagerSink({ url: am.url, grafanaUrl: 'http://g', backoff: { initialMs: 20 } });
    await expect(sink.emit([sampleEvent('bad')])).rejects.toThrow(/400/);
    expect(sink.pending).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(am.requests).toHaveLength(1);
    await sink.close();
    await am.close();
  });
});

const amSkip = alertmanagerSkipReason();
if (amSkip) console.warn(`skipping the Alertmanager tests: ${amSkip}`);

describe.skipIf(amSkip !== null)('AlertmanagerSink with a real Alertmanager', () => {
  let hook: Awaited<ReturnType<typeof startCaptureServer>>;
  let am: TestAlertmanager;

  /** Webhook notifications carrying the given anomaly id. */
  const pagesFor = (id: string) =>
    hook.requests.filter((r) =>
      (JSON.parse(r.body) as Notification).alerts.some((a) => a.labels.anomaly_id === id),
    );

  beforeAll(async () => {
    hook = await startCaptureServer();
    am = await createTestAlertmanager(`${hook.url}/hook`);
    await am.start();
  }, 40_000);

  afterAll(async () => {
    await am?.destroy();
    await hook?.close();
  });

  it('pages once per anomaly, also across an Alertmanager outage', async () => {
    const sink = new AlertmanagerSink({
      url: am.url,
      grafanaUrl: 'http://grafana:3000/a/logsieve-anomaly-app',
      backoff: { initialMs: 200, maxMs: 1000 },
    });
    try {
      await sink.emit([sampleEvent('first', 'checkout', 95)]);
      const [page] = await waitFor(
        async () => (pagesFor('first').length ? pagesFor('first') : undefined),
        15_000,
        'the first page',
      );
      const alert = (JSON.parse(page!.body) as Notification).alerts[0]!;
      expect(alert.status).toBe('firing');
      expect(alert.labels).toEqual({
        alertname: 'LogAnomaly',
        service: 'checkout',
        severity: 'critical',
        anomaly_id: 'first',
      });
      expect(alert.annotations.grafana_url).toBe(
        'http://grafana:3000/a/logsieve-anomaly-app/anomalies/first',
      );
      expect(alert.annotations.score).toBe('95');

      await am.stop();
      await expect(sink.emit([sampleEvent('second', 'payments', 80)])).rejects.toThrow();
      expect(sink.pending).toBe(1);
      // The same event again while down (a replay) replaces its queued alert.
      await sink.emit([sampleEvent('second', 'payments', 80)]).catch(() => {});
      expect(sink.pending).toBe(1);

      await am.start();
      await waitFor(
        async () => (pagesFor('second').length ? true : undefined),
        20_000,
        'the page after the outage',
      );
      // Two more group intervals: a duplicate would have arrived by now.
      await new Promise((r) => setTimeout(r, 2500));
      expect(sink.pending).toBe(0);
      expect(pagesFor('second')).toHaveLength(1);
      expect(pagesFor('first')).toHaveLength(1);
      const second = (JSON.parse(pagesFor('second')[0]!.body) as Notification).alerts;
      expect(second.map((a) => [a.labels.service, a.labels.severity])).toEqual([['payments', 'warning']]);
    } finally {
      await sink.close();
    }
  }, 60_000);
});
