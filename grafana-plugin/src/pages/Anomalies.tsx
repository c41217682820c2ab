import { PluginPage, locationService } from '@grafana/runtime';
import { Field, Input, Pagination, RadioButtonGroup, Select, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import type { Severity } from '../api/types';
import { useApp } from '../components/app-context';
import { formatTime } from '../components/format';
import { RequestView } from '../components/RequestView';
import { SeverityBadge } from '../components/SeverityBadge';
import { getPageStyles } from '../components/styles';
import { useRequest } from '../components/use-request';
import { PageId, pageUrl } from '../constants';

export const PAGE_SIZE = 20;

const SEVERITIES: Array<{ label: string; value: Severity | '' }> = [
  { label: 'All', value: '' },
  { label: 'Critical', value: 'critical' },
  { label: 'Warning', value: 'warning' },
  { label: 'Info', value: 'info' },
];

export function Anomalies() {
  const { client } = useApp();
  const styles = useStyles2(getPageStyles);
  const [stream, setStream] = useState('');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [minScoreText, setMinScoreText] = useState('');
  const [page, setPage] = useState(1);

  const minScore = minScoreText === '' ? undefined : Number(minScoreText);
  const minScoreError =
    minScore !== undefined && !(minScore >= 0 && minScore <= 100) ? 'Enter a score from 0 to 100' : '';
  const streams = useRequest(() => client.streams(), [client]);
  const list = useRequest(
    () =>
      client.anomalies({
        stream,
        severity: severity || undefined,
        minScore: minScoreError ? undefined : minScore,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    [client, stream, severity, minScore, minScoreError, page],
  );
  const filter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };

  return (
    <PluginPage>
      <div className={styles.filters}>
        <Field label="Stream" noMargin>
          <Select
            aria-label="Stream"
            width={30}
            value={stream}
            options={[
              { label: 'All streams', value: '' },
              ...(streams.data?.items ?? []).map((s) => ({ label: s.stream, value: s.stream })),
            ]}
            onChange={(o) => filter(setStream)(o?.value ?? '')}
          />
        </Field>
        <Field label="Severity" noMargin>
          <RadioButtonGroup options={SEVERITIES} value={severity} onChange={filter(setSeverity)} />
        </Field>
        <Field label="Min score" noMargin invalid={!!minScoreError} error={minScoreError}>
          <Input
            aria-label="Min score"
            type="number"
            width={12}
            value={minScoreText}
            onChange={(e) => filter(setMinScoreText)(e.currentTarget.value)}
          />
        </Field>
      </div>
      <RequestView
        state={list}
        onRetry={list.reload}
        empty={(d) => d.items.length === 0}
        emptyTitle="No anomalies"
        emptyText="Nothing matches these filters, or logsieve has not raised an anomaly yet."
      >
        {(d) => (
          <>
            <table className={styles.table} aria-label="Anomalies">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Stream</th>
                  <th>Score</th>
                  <th>Severity</th>
                  <th>Top template</th>
                  <th>Feedback</th>
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
                    <td className={styles.mono}>{a.explanation.topTemplates[0]?.template ?? '-'}</td>
                    <td>{a.feedback ? a.feedback.label.replace('_', ' ') : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className={styles.actions} style={{ marginTop: 12 }}>
              <Pagination
                hideWhenSinglePage
                currentPage={page}
                numberOfPages={Math.max(1, Math.ceil(d.total / PAGE_SIZE))}
                onNavigate={setPage}
              />
              <span className={styles.muted}>{d.total} anomalies</span>
            </div>
          </>
        )}
      </RequestView>
    </PluginPage>
  );
}
