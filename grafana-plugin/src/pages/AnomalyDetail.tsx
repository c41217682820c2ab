import { urlUtil } from '@grafana/data';
import { PluginPage, getDataSourceSrv } from '@grafana/runtime';
import { Badge, Button, LinkButton, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/errors';
import { MODEL_NAMES, type Anomaly } from '../api/types';
import { useApp } from '../components/app-context';
import { formatNumber, formatProbability, formatTime } from '../components/format';
import { ErrorView, RequestView } from '../components/RequestView';
import { SeverityBadge } from '../components/SeverityBadge';
import { getPageStyles } from '../components/styles';
import { useRequest } from '../components/use-request';
import { PageId, pageUrl } from '../constants';

/** An Explore link to the stream's logs around the unit, when Grafana has a Loki data source. */
export function exploreUrl(a: Anomaly): string | null {
  const loki = getDataSourceSrv().getList({ type: 'loki' })[0];
  if (!loki) return null;
  const pad = 5 * 60_000;
  const panes = {
    a: {
      datasource: loki.uid,
      queries: [
        { refId: 'A', datasource: { type: 'loki', uid: loki.uid }, expr: `{service_name="${a.stream}"}` },
      ],
      range: { from: String(Date.parse(a.start) - pad), to: String(Date.parse(a.end) + pad) },
    },
  };
  return urlUtil.renderUrl('/explore', { schemaVersion: 1, panes: JSON.stringify(panes) });
}

export function AnomalyDetail({ id }: { id: string }) {
  const { client } = useApp();
  const request = useRequest(() => client.anomaly(id), [client, id]);
  return (
    <PluginPage pageNav={{ text: `Anomaly ${id}` }}>
      <LinkButton
        variant="secondary"
        size="sm"
        icon="arrow-left"
        href={pageUrl(PageId.Anomalies)}
        fill="text"
      >
        All anomalies
      </LinkButton>
      <RequestView state={request} onRetry={request.reload}>
        {(a) => <AnomalyView initial={a} />}
      </RequestView>
    </PluginPage>
  );
}

function AnomalyView({ initial }: { initial: Anomaly }) {
  const { client } = useApp();
  const styles = useStyles2(getPageStyles);
  const [a, setA] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const explore = exploreUrl(a);

  const act = async (call: () => Promise<Anomaly>) => {
    setBusy(true);
    setError(null);
    try {
      setA(await call());
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section className={styles.panel}>
        <div className={styles.actions}>
          <SeverityBadge severity={a.severity} />
          <strong>score {a.score.toFixed(0)}</strong>
          <span>{a.stream}</span>
          <span className={styles.muted}>
            {formatTime(a.start)} to {formatTime(a.end)} ({a.unitKind} {a.unit}), model {a.modelVersion}
          </span>
        </div>
        <p style={{ marginTop: 12 }}>{a.explanation.summary}</p>
        <div className={styles.actions}>
          {a.feedback ? (
            <>
              <Badge
                color={a.feedback.label === 'false_positive' ? 'purple' : 'green'}
                text={`Marked ${a.feedback.label.replace('_', ' ')} by ${a.feedback.actor}`}
              />
              <Button
                size="sm"
                variant="secondary"
                icon="history"
                disabled={busy}
                onClick={() => act(() => client.undoFeedback(a.id))}
              >
                Undo
              </Button>
            </>
          ) : (
            <Button
              size="sm"
              variant="secondary"
              icon="thumbs-up"
              disabled={busy}
              onClick={() => act(() => client.giveFeedback(a.id, 'false_positive'))}
            >
              Mark as false positive
            </Button>
          )}
          {explore && (
            <LinkButton size="sm" variant="secondary" icon="compass" href={explore}>
              Logs in Explore
            </LinkButton>
          )}
        </div>
        {error && <ErrorView error={error} />}
      </section>

      <div className={styles.grid}>
        <section className={styles.panel}>
          <div className={styles.panelTitle}>Per-model scores</div>
          <table className={styles.table} aria-label="Per-model scores">
            <tbody>
              {MODEL_NAMES.map((m) => (
                <tr key={m}>
                  <td>{m}</td>
                  <td style={{ width: '60%' }}>
                    <div style={{ background: 'rgba(128,128,128,0.2)', height: 8 }}>
                      <div
                        style={{
                          width: `${a.models[m] ?? 0}%`,
                          height: 8,
                          background: (a.models[m] ?? 0) >= 75 ? '#f2495c' : '#5794f2',
                        }}
                      />
                    </div>
                  </td>
                  <td>{(a.models[m] ?? 0).toFixed(0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className={styles.panel}>
          <div className={styles.panelTitle}>Top features</div>
          <table className={styles.table}>
            <thead>
              <tr>
                <th>Feature</th>
                <th>Value</th>
                <th>Expected</th>
                <th>Contribution</th>
              </tr>
            </thead>
            <tbody>
              {a.explanation.topFeatures.map((f) => (
                <tr key={f.feature}>
                  <td className={styles.mono}>{f.feature}</td>
                  <td>{formatNumber(f.value)}</td>
                  <td>{formatNumber(f.expected)}</td>
                  <td>{(f.contribution * 100).toFixed(0)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section className={styles.panel}>
        <div className={styles.panelTitle}>Top templates</div>
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Template</th>
              <th>Count</th>
              <th>Expected</th>
              <th>Contribution</th>
            </tr>
          </thead>
          <tbody>
            {a.explanation.topTemplates.map((t) => (
              <tr key={t.templateId}>
                <td className={styles.mono}>{t.template}</td>
                <td>{formatNumber(t.count)}</td>
                <td>{formatNumber(t.expected)}</td>
                <td>{(t.contribution * 100).toFixed(0)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className={styles.panel}>
        <div className={styles.panelTitle}>Unexpected events</div>
        {a.explanation.unexpectedEvents.length === 0 ? (
          <span className={styles.muted}>None: every event was among the likely next ones.</span>
        ) : (
          <table className={styles.table} aria-label="Unexpected events">
            <thead>
              <tr>
                <th>Template</th>
                <th>Probability</th>
                <th>Line</th>
              </tr>
            </thead>
            <tbody>
              {a.explanation.unexpectedEvents.map((e, i) => (
                <tr key={`${e.templateId}-${i}`}>
                  <td className={styles.mono}>{e.template}</td>
                  <td>{formatProbability(e.probability)}</td>
                  <td className={styles.mono}>{e.line ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className={styles.panel}>
        <div className={styles.panelTitle}>Sample lines</div>
        <pre className={styles.pre}>{a.sampleLines.join('\n') || '(none kept)'}</pre>
        {a.traceIds.length > 0 && <div className={styles.muted}>Trace ids: {a.traceIds.join(', ')}</div>}
      </section>
    </>
  );
}
