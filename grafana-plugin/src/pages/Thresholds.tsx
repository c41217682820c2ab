import { PluginPage } from '@grafana/runtime';
import { Button, Field, Select, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/errors';
import { useApp } from '../components/app-context';
import { describeChange } from '../components/audit-diff';
import { formatTime } from '../components/format';
import { ErrorView, RequestView } from '../components/RequestView';
import { getPageStyles } from '../components/styles';
import { useRequest } from '../components/use-request';
import { ThresholdForm } from './ThresholdForm';

const GLOBAL = '';

export function Thresholds() {
  const { client } = useApp();
  const styles = useStyles2(getPageStyles);
  const [scope, setScope] = useState(GLOBAL);
  const [removeError, setRemoveError] = useState<ApiError | null>(null);
  const thresholds = useRequest(() => client.thresholds(), [client]);
  const streams = useRequest(() => client.streams(), [client]);
  const audit = useRequest(() => client.audit({ limit: 20 }), [client]);
  const refresh = () => {
    thresholds.reload();
    audit.reload();
  };
  const names = [
    ...new Set([
      ...(streams.data?.items ?? []).map((s) => s.stream),
      ...Object.keys(thresholds.data?.streams ?? {}),
    ]),
  ].sort();

  return (
    <PluginPage>
      <RequestView state={thresholds} onRetry={thresholds.reload}>
        {(t) => {
          const override = scope === GLOBAL ? undefined : t.streams[scope];
          const initial = scope === GLOBAL ? t.global : (override ?? t.global);
          return (
            <section className={styles.panel}>
              <div className={styles.filters}>
                <Field label="Applies to" noMargin>
                  <Select
                    aria-label="Applies to"
                    width={30}
                    value={scope}
                    options={[
                      { label: 'Global (all streams)', value: GLOBAL },
                      ...names.map((n) => ({ label: t.streams[n] ? `${n} (override)` : n, value: n })),
                    ]}
                    onChange={(o) => setScope(o?.value ?? GLOBAL)}
                  />
                </Field>
                {override && (
                  <Button
                    variant="destructive"
                    fill="outline"
                    icon="trash-alt"
                    onClick={async () => {
                      setRemoveError(null);
                      try {
                        await client.deleteStreamThreshold(scope);
                        refresh();
                      } catch (err) {
                        setRemoveError(toApiError(err));
                      }
                    }}
                  >
                    Remove override
                  </Button>
                )}
              </div>
              {scope !== GLOBAL && !override && (
                <p className={styles.muted}>
                  {scope} follows the global threshold; saving creates an override for it.
                </p>
              )}
              {removeError && <ErrorView error={removeError} />}
              <ThresholdForm
                key={`${scope}:${override ? 'override' : 'inherit'}`}
                initial={initial}
                stream={scope === GLOBAL ? undefined : scope}
                onSaved={refresh}
              />
            </section>
          );
        }}
      </RequestView>
      <section className={styles.panel}>
        <div className={styles.panelTitle}>Changes (audit)</div>
        <RequestView
          state={audit}
          onRetry={audit.reload}
          empty={(d) => d.items.length === 0}
          emptyTitle="No changes recorded yet"
        >
          {(d) => (
            <table className={styles.table} aria-label="Audit">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Change</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.at)}</td>
                    <td>{e.actor}</td>
                    <td>{e.action}</td>
                    <td>{e.target}</td>
                    <td className={styles.mono}>
                      {describeChange(e.before, e.after).map((line) => (
                        <div key={line}>{line}</div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </RequestView>
      </section>
    </PluginPage>
  );
}
