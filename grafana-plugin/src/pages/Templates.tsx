import { PluginPage } from '@grafana/runtime';
import { Badge, Field, Input, InlineSwitch, Pagination, Select, useStyles2 } from '@grafana/ui';
import { cx } from '@emotion/css';
import { useState } from 'react';
import { useApp } from '../components/app-context';
import { formatNumber, formatTime } from '../components/format';
import { RequestView } from '../components/RequestView';
import { getPageStyles } from '../components/styles';
import { useRequest } from '../components/use-request';

const PAGE_SIZE = 50;

export function Templates() {
  const { client } = useApp();
  const styles = useStyles2(getPageStyles);
  const [stream, setStream] = useState('');
  const [search, setSearch] = useState('');
  const [onlyNew, setOnlyNew] = useState(false);
  const [page, setPage] = useState(1);
  const streams = useRequest(() => client.streams(), [client]);
  const list = useRequest(
    () =>
      client.templates({
        stream,
        search: search.trim(),
        onlyNew,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    [client, stream, search, onlyNew, page],
  );

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
            onChange={(o) => {
              setStream(o?.value ?? '');
              setPage(1);
            }}
          />
        </Field>
        <Field label="Search" noMargin>
          <Input
            aria-label="Search templates"
            width={40}
            placeholder="text in the template"
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
          />
        </Field>
        <InlineSwitch
          label="Only new"
          showLabel
          value={onlyNew}
          onChange={(e) => setOnlyNew(e.currentTarget.checked)}
        />
      </div>
      <RequestView
        state={list}
        onRetry={list.reload}
        empty={(d) => d.items.length === 0}
        emptyTitle="No templates"
        emptyText="No template matches, or logsieve has not mined any logs yet."
      >
        {(d) => (
          <>
            <table className={styles.table} aria-label="Templates">
              <thead>
                <tr>
                  <th>Template</th>
                  <th>Stream</th>
                  <th>Count</th>
                  <th>First seen</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((t) => (
                  <tr key={t.id} className={cx(t.isNew && styles.highlight)} data-new={t.isNew || undefined}>
                    <td>
                      <div className={styles.mono}>
                        {t.isNew && <Badge text="new since model" color="orange" />} {t.template}
                      </div>
                      <div className={cx(styles.mono, styles.muted)}>{t.example}</div>
                    </td>
                    <td>{t.stream}</td>
                    <td>{formatNumber(t.count)}</td>
                    <td>{formatTime(t.firstSeen)}</td>
                    <td>{formatTime(t.lastSeen)}</td>
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
              <span className={styles.muted}>{d.total} templates</span>
            </div>
          </>
        )}
      </RequestView>
    </PluginPage>
  );
}
