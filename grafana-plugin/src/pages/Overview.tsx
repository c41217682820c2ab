import { dateMath, dateTime, type TimeRange, type TimeZone } from '@grafana/data';
import { locationService, PluginPage } from '@grafana/runtime';
import { Alert, Badge, Field, Select, TimeRangePicker, useStyles2 } from '@grafana/ui';
import { useMemo } from 'react';
import { queryRange } from '../api/prometheus';
import { useApp } from '../components/app-context';
import { formatNumber, formatTime } from '../components/format';
import { RequestView } from '../components/RequestView';
import { ScoreChart } from '../components/ScoreChart';
import { SeverityBadge } from '../components/SeverityBadge';
import { getPageStyles } from '../components/styles';
import { useLocation } from '../components/use-location';
import { useRequest } from '../components/use-request';
import { PageId, pageUrl } from '../constants';

export const DEFAULT_FROM = 'now-6h';
export const DEFAULT_TO = 'now';

/** The selected range from the URL's `from`/`to` (Grafana's raw syntax or epoch ms). */
export function rangeFromUrl(search: Record<string, unknown>): TimeRange {
  const raw = { from: String(search.from ?? DEFAULT_FROM), to: String(search.to ?? DEFAULT_TO) };
  const parse = (s: string, roundUp: boolean) =>
    /^\d+$/.test(s) ? dateTime(Number(s)) : dateMath.parse(s, roundUp);
  const from = parse(raw.from, false);
  const to = parse(raw.to, true);
  if (!from?.isValid() || !to?.isValid()) return rangeFromUrl({});
  return { from, to, raw };
}

function rawToUrl(v: TimeRange['raw']['from']): string {
  return typeof v === 'string' ? v : String(v.valueOf());
}

const PROMQL = (stream: string) =>
  stream
    ? `max by (stream) (logsieve_anomaly_score{stream="${stream.replace(/"/g, '\\"')}"})`
    : 'max by (stream) (logsieve_anomaly_score)';

export function Overview() {
  const { client, srv, settings } = useApp();
  const styles = useStyles2(getPageStyles);
  const { search } = useLocation();
  const range = useMemo(() => rangeFromUrl(search), [search]);
  const stream = typeof search.stream === 'string' ? search.stream : '';
  const fromIso = range.from.toISOString();
  const toIso = range.to.toISOString();

  const streams = useRequest(() => client.streams(), [client]);
  const anomalies = useRequest(
    () => client.anomalies({ from: fromIso, to: toIso, stream, limit: 10 }),
    [client, fromIso, toIso, stream],
  );
  const newTemplates = useRequest(
    () => client.templates({ onlyNew: true, stream, limit: 10 }),
    [client, stream],
  );
  const promUid = settings.prometheusUid;
  const series = useRequest(
    () =>
      promUid
        ? queryRange(srv, promUid, PROMQL(stream), range.from.valueOf(), range.to.valueOf())
        : Promise.resolve([]),
    [srv, promUid, stream, fromIso, toIso],
  );

  const setRange = (r: TimeRange) =>
    locationService.partial({ from: rawToUrl(r.raw.from), to: rawToUrl(r.raw.to) });
  const shift = (dir: -1 | 1) => {
    const span = range.to.valueOf() - range.from.valueOf();
    const from = range.from.valueOf() + (dir * span) / 2;
    locationService.partial({ from: String(Math.round(from)), to: String(Math.round(from + span)) });
  };
  const streamOptions = [
    { label: 'All streams', value: '' },
    ...(streams.data?.items ?? []).map((s) => ({ label: s.stream, value: s.stream })),
  ];

  return (
    <PluginPage>
      <div className={styles.filters}>
        <Field label="Stream" noMargin>
          <Select
            aria-label="Stream filter"
            width={30}
            options={streamOptions}
            value={stream}
            onChange={(o) => locationService.partial({ stream: o?.value || undefined })}
          />
        </Field>
        <TimeRangePicker
          value={range}
          timeZone={'browser' as TimeZone}
          onChange={setRange}
          onChangeTimeZone={() => {}}
          onMoveBackward={() => shift(-1)}
          onMoveForward={() => shift(1)}
          onZoom={() => {
            const span = range.to.valueOf() - range.from.valueOf();
            locationService.partial({
              from: String(range.from.valueOf() - span / 2),
              to: String(range.to.valueOf() + span / 2),
            });
          }}
        />
      </div>

      <section className={styles.panel}>
        <div className={styles.panelTitle}>Anomaly score per stream</div>
        {promUid ? (
          <RequestView
            state={series}
            onRetry={series.reload}
            empty={(d) => d.length === 0}
            emptyTitle="No score samples in this range"
            emptyText="logsieve_anomaly_score has no samples yet: is Prometheus scraping logsieve's /metrics?"
          >
            {(d) => <ScoreChart series={d} fromMs={range.from.valueOf()} toMs={range.to.valueOf()} />}
          </RequestView>
        ) : (
          <Alert title="No Prometheus data source" severity="info">
            Pick the Prometheus that scrapes logsieve on the app&apos;s configuration page to see scores over
            time.
          </Alert>
        )}
      </section>

      <div className={styles.grid}>
        <section className={styles.panel}>
          <div className={styles.panelTitle}>Anomalies in range</div>
          <RequestView
            state={anomalies}
            onRetry={anomalies.reload}
            empty={(d) => d.items.length === 0}
            emptyTitle="No anomalies in this range"
          >
            {(d) => (
              <>
                <div className={styles.muted}>{d.total} anomalies</div>
                <table className={styles.table}>
                  <thead>
                    <tr>
                      <th>Time</th>
                      <th>Stream</th>
                      <th>Score</th>
                      <th>Severity</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((a) => (
                      <tr
                        key={a.id}
                        className={styles.clickable}
                        onClick={() => locationService.push(pageUrl(PageId.Anomalies, a.id))}
                      >
                        <td>{formatTime(a.start)}</td>
                        <td>{a.stream}</td>
                        <td>{a.score.toFixed(0)}</td>
                        <td>
                          <SeverityBadge severity={a.severity} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </RequestView>
        </section>

        <section className={styles.panel}>
          <div className={styles.panelTitle}>Noisiest streams</div>
          <RequestView
            state={streams}
            onRetry={streams.reload}
            empty={(d) => d.items.length === 0}
            emptyTitle="No streams yet"
          >
            {(d) => (
              <table className={styles.table}>
                <thead>
                  <tr>
                    <th>Stream</th>
                    <th>Anomalies</th>
                    <th>Score</th>
                    <th>Records</th>
                    <th title="Lines that came after their window had closed: in no scored window">Late</th>
                  </tr>
                </thead>
                <tbody>
                  {[...d.items]
                    .sort((a, b) => b.anomalies - a.anomalies || (b.score ?? 0) - (a.score ?? 0))
                    .slice(0, 10)
                    .map((s) => (
                      <tr
                        key={s.stream}
                        className={styles.clickable}
                        onClick={() => locationService.partial({ stream: s.stream })}
                      >
                        <td>{s.stream}</td>
                        <td>{s.anomalies}</td>
                        <td>{s.score === null ? '–' : s.score.toFixed(0)}</td>
                        <td>{formatNumber(s.records)}</td>
                        <td>{s.late > 0 ? formatNumber(s.late) : '–'}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
          </RequestView>
        </section>

        <section className={styles.panel}>
          <div className={styles.panelTitle}>New templates</div>
          <RequestView
            state={newTemplates}
            onRetry={newTemplates.reload}
            empty={(d) => d.items.length === 0}
            emptyTitle="No new templates since the active model was trained"
          >
            {(d) => (
              <table className={styles.table} aria-label="New templates">
                <thead>
                  <tr>
                    <th />
                    <th>Stream</th>
                    <th>Template</th>
                    <th>Count</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((t) => (
                    <tr key={t.id}>
                      <td>
                        <Badge text="new" color="orange" />
                      </td>
                      <td>{t.stream}</td>
                      <td className={styles.mono}>{t.template}</td>
                      <td>{formatNumber(t.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </RequestView>
        </section>
      </div>
    </PluginPage>
  );
}
