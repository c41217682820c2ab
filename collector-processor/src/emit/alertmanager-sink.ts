import type { AnomalyEvent } from '../anomaly-event';
import { backoffDelay, HttpError, type BackoffOptions } from './backoff';
import type { EventSink } from './event-sink';

/** One alert of the Alertmanager API v2 (`POST /api/v2/alerts`). */
export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface AlertmanagerSinkOptions {
  /** Alertmanager base URL, e.g. http://alertmanager:9093. */
  url: string;
  /** outputs.alertmanager.grafanaUrl: alerts link to `<grafanaUrl>/anomalies/<id>`. */
  grafanaUrl: string;
  /** An alert resolves this long after its unit ends unless sent again (default 15 min). */
  resolveAfterMs?: number;
  /** Alerts held while Alertmanager is unreachable; past it the oldest are dropped (default 10000). */
  maxQueue?: number;
  /**
   * Alerts Alertmanager took are sent again this often until they resolve (0 = never; default
   * 60 s), as Prometheus does: an Alertmanager restarted before it notified (it keeps alerts in
   * memory only) still pages, and one that did notify drops the resend as a duplicate.
   */
  resendMs?: number;
  backoff?: BackoffOptions;
  warn?: (message: string) => void;
}

export function alertFor(
  e: AnomalyEvent,
  grafanaUrl: string,
  resolveAfterMs: number,
  nowMs = Date.now(),
): Alert {
  const link = `${grafanaUrl.replace(/\/+$/, '')}/anomalies/${encodeURIComponent(e.id)}`;
  const templates = e.explanation.topTemplates
    .map((t) => `${t.template} (count ${t.count}, expected ${round(t.expected)})`)
    .join('\n');
  const unexpected = e.explanation.unexpectedEvents
    .map((u) => `unexpected: ${u.template} (p=${u.probability.toPrecision(2)})`)
    .join('\n');
  return {
    // Alertmanager deduplicates on the label set, so the stable anomaly id makes a resend harmless.
    labels: { alertname: 'LogAnomaly', service: e.stream, severity: e.severity, anomaly_id: e.id },
    annotations: {
      summary: e.explanation.summary || `Log anomaly in ${e.stream}`,
      description: `${e.unitKind} ${e.unit} of ${e.stream} scored ${round(e.score)}/100 (model ${e.modelVersion})`,
      score: String(round(e.score)),
      explanation: [templates, unexpected].filter(Boolean).join('\n') || e.explanation.summary,
      grafana_url: link,
    },
    startsAt: e.start,
    // From the later of the unit's end and now: a replayed old unit still fires before it resolves.
    endsAt: new Date(Math.max(Date.parse(e.end), nowMs) + resolveAfterMs).toISOString(),
    generatorURL: link,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Sends anomaly events to Alertmanager. Alerts wait in a bounded queue until Alertmanager takes
 * them; while it is down they are retried in the background with exponential backoff, and each
 * is posted until one post succeeds, so its return brings every pending alert. Every alert
 * carries its anomaly id as a label, so Alertmanager pages once however often it is sent.
 */
export class AlertmanagerSink implements EventSink {
  readonly name = 'alertmanager' as const;
  /** Alerts dropped because the queue was full. */
  dropped = 0;
  private queue: Alert[] = [];
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Alerts Alertmanager took that have not resolved yet, by anomaly id (oldest first). */
  private readonly firing = new Map<string, Alert>();
  private readonly resendTimer: NodeJS.Timeout | null;

  constructor(private readonly opts: AlertmanagerSinkOptions) {
    const every = opts.resendMs ?? 60_000;
    this.resendTimer = every > 0 ? setInterval(() => this.resend(), every) : null;
    this.resendTimer?.unref();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Alerts queued while Alertmanager does not answer. */
  get backlog(): number {
    return this.queue.length;
  }

  async emit(events: AnomalyEvent[]): Promise<void> {
    this.enqueue(events.map((e) => alertFor(e, this.opts.grafanaUrl, this.resolveAfter)));
    await this.flush();
  }

  /**
   * Queues again the alerts of anomalies raised before this process started that have not resolved
   * yet (their end counted from when they were raised, so a restart does not prolong them): alerts
   * queued or retrying in a process that stopped while Alertmanager was down still page, and
   * Alertmanager drops those it already has as duplicates. False positives are left out.
   */
  async restore(raisedSince: (ms: number) => Promise<AnomalyEvent[]>): Promise<void> {
    const now = Date.now();
    const alerts = (await raisedSince(now - this.resolveAfter))
      .filter((e) => e.feedback?.label !== 'false_positive')
      .map((e) => alertFor(e, this.opts.grafanaUrl, this.resolveAfter, Date.parse(e.createdAt)))
      .filter((a) => Date.parse(a.endsAt) > now)
      .reverse();
    if (alerts.length === 0) return;
    this.enqueue(alerts);
    await this.flush();
  }

  private get resolveAfter(): number {
    return this.opts.resolveAfterMs ?? 15 * 60_000;
  }

  private enqueue(fresh: Alert[]): void {
    // A queued alert for the same anomaly is superseded, not doubled: replays don't eat the queue.
    const ids = new Set(fresh.map((a) => a.labels.anomaly_id));
    this.queue = this.queue.filter((a) => !ids.has(a.labels.anomaly_id)).concat(fresh);
    const max = this.opts.maxQueue ?? 10_000;
    if (this.queue.length > max) {
      const n = this.queue.length - max;
      this.queue.splice(0, n);
      this.dropped += n;
      this.opts.warn?.(`alertmanager: queue full, dropped ${n} oldest alerts`);
    }
  }

  /** Posts everything queued; rejects (leaving the alerts queued and a retry scheduled) on failure. */
  flush(): Promise<void> {
    // One post at a time: a concurrent flush waits for the running one, then sends what remains.
    const run = (this.flushing ?? Promise.resolve()).catch(() => {}).then(() => this.postQueued());
    this.flushing = run;
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.resendTimer) clearInterval(this.resendTimer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async postQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, 500);
      // Removed by identity: emit() may reshape the queue while the post is in flight.
      const done = () => {
        const sent = new Set(batch);
        this.queue = this.queue.filter((a) => !sent.has(a));
      };
      try {
        const res = await fetch(`${this.opts.url.replace(/\/+$/, '')}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new HttpError(res.status, await res.text(), 'alertmanager');
      } catch (err) {
        if (err instanceof HttpError && !err.retryable) {
          // Alertmanager refused these alerts as malformed: resending them can never succeed.
          done();
          throw err;
        }
        this.scheduleRetry();
        throw err;
      }
      done();
      this.remember(batch);
      this.attempt = 0;
    }
  }

  private remember(sent: Alert[]): void {
    for (const a of sent) {
      this.firing.delete(a.labels.anomaly_id!);
      this.firing.set(a.labels.anomaly_id!, a);
    }
    const excess = this.firing.size - (this.opts.maxQueue ?? 10_000);
    for (const id of [...this.firing.keys()].slice(0, Math.max(0, excess))) this.firing.delete(id);
  }

  /** Queues the still-firing alerts again (those not queued already) and posts them. */
  private resend(): void {
    const now = Date.now();
    const queued = new Set(this.queue.map((a) => a.labels.anomaly_id));
    for (const [id, a] of this.firing) {
      if (Date.parse(a.endsAt) <= now) this.firing.delete(id);
      else if (!queued.has(id)) this.queue.push(a);
    }
    if (this.queue.length > 0)
      this.flush().catch((err: Error) => this.opts.warn?.(`alertmanager: resend failed: ${err.message}`));
  }

  private scheduleRetry(): void {
    if (this.closed || this.timer) return;
    const delay = backoffDelay(this.attempt++, this.opts.backoff);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: Error) => this.opts.warn?.(`alertmanager: retry failed: ${err.message}`));
    }, delay);
    this.timer.unref();
  }
}
