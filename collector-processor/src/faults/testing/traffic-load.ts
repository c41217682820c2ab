import { errorBurst, normalMinute } from '../../pipeline/testing/service-traffic';

/** Sums every series of a counter or gauge in a Prometheus text exposition. */
export async function metricTotal(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) n += Number(m[1]);
  return n;
}

export interface LoadFigures {
  /** Records in requests the service answered 202. */
  accepted: number;
  /** Records in requests refused or not answered. */
  refused: number;
  /** Minutes of event time posted (the next minute's index). */
  minute: number;
  /** Minutes whose `api` records were all accepted. */
  apiMinutes: number[];
}

/**
 * Posts the service tests' traffic to the REST logs route one event-time minute at a time, with
 * a burst of new errors in `api` every `burstEvery` minutes (each makes an anomaly), until
 * stopped. Event time runs ahead of the clock, so windows close as fast as minutes are posted.
 */
export class TrafficLoad {
  readonly figures: LoadFigures;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly restUrl: string,
    private readonly start: number,
    firstMinute: number,
    private readonly o: {
      burstEvery?: number;
      pauseMs?: number;
      /** End at the first refused request (a service shutting down), as a client would back off. */
      stopOnRefusal?: boolean;
    } = {},
  ) {
    this.figures = { accepted: 0, refused: 0, minute: firstMinute, apiMinutes: [] };
    this.done = this.run();
  }

  /** Stops after the minute in flight; resolves with the figures. */
  async stop(): Promise<LoadFigures> {
    this.running = false;
    await this.done;
    return this.figures;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const i = this.figures.minute++;
      const m = normalMinute(this.start, i);
      const burst = i % (this.o.burstEvery ?? 3) === 0 ? errorBurst(this.start, i) : [];
      const api = await this.post('api', [...m.api, ...burst]);
      if (api) this.figures.apiMinutes.push(i);
      const worker = await this.post('worker', m.worker);
      if (this.o.stopOnRefusal && !(api && worker)) return;
      await new Promise((r) => setTimeout(r, this.o.pauseMs ?? 150));
    }
  }

  private async post(stream: string, lines: string[]): Promise<boolean> {
    const ok = await fetch(`${this.restUrl}/api/v1/logs?stream=${stream}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lines),
    }).then(
      (r) => r.status === 202,
      () => false,
    );
    if (ok) this.figures.accepted += lines.length;
    else this.figures.refused += lines.length;
    return ok;
  }
}
