import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Button, ConfirmModal, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/errors';
import type { ModelVersion } from '../api/types';
import { useApp } from '../components/app-context';
import { formatNumber, formatTime } from '../components/format';
import { ErrorView, RequestView } from '../components/RequestView';
import { getPageStyles } from '../components/styles';
import { useRequest } from '../components/use-request';

type Action = { kind: 'activate'; version: string } | { kind: 'rollback' } | { kind: 'retrain' };

const CONFIRM: Record<
  Action['kind'],
  { title: string; body: (a: Action) => string; confirm: string; variant: 'primary' | 'destructive' }
> = {
  activate: {
    title: 'Activate model version',
    body: (a) => `Score all streams with ${a.kind === 'activate' ? a.version : ''} from now on?`,
    confirm: 'Activate',
    variant: 'primary',
  },
  rollback: {
    title: 'Roll back',
    body: () => 'Go back to the previously active model version?',
    confirm: 'Roll back',
    variant: 'destructive',
  },
  retrain: {
    title: 'Retrain',
    body: () => 'Train a new model version on recent normal data? It becomes active when training ends.',
    confirm: 'Retrain',
    variant: 'primary',
  },
};

function Evaluation({ m }: { m: ModelVersion }) {
  if (!m.evaluation) return <span>not evaluated</span>;
  return (
    <>
      {Object.entries(m.evaluation).map(([k, v]) => (
        <div key={k}>
          {k}: {formatNumber(v)}
        </div>
      ))}
    </>
  );
}

export function Models() {
  const { client } = useApp();
  const styles = useStyles2(getPageStyles);
  const models = useRequest(() => client.models(), [client]);
  const [pending, setPending] = useState<Action | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const confirm = async (a: Action) => {
    setPending(null);
    setError(null);
    setResult(null);
    try {
      if (a.kind === 'activate') setResult(`Activated ${(await client.activateModel(a.version)).version}`);
      else if (a.kind === 'rollback') setResult(`Rolled back to ${(await client.rollbackModel()).version}`);
      else {
        const job = await client.retrain();
        setResult(`Retraining started (job ${job.jobId}, ${job.state})`);
      }
      models.reload();
    } catch (err) {
      setError(toApiError(err));
    }
  };

  return (
    <PluginPage>
      <div className={styles.actions} style={{ marginBottom: 16 }}>
        <Button variant="secondary" icon="history" onClick={() => setPending({ kind: 'rollback' })}>
          Roll back
        </Button>
        <Button variant="secondary" icon="sync" onClick={() => setPending({ kind: 'retrain' })}>
          Retrain
        </Button>
      </div>
      {result && <Alert title={result} severity="success" />}
      {error && <ErrorView error={error} />}
      <RequestView
        state={models}
        onRetry={models.reload}
        empty={(d) => d.items.length === 0}
        emptyTitle="No model yet"
        emptyText="logsieve is collecting a baseline; the first model is trained when enough normal data has arrived."
      >
        {(d) => (
          <table className={styles.table} aria-label="Model versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Created</th>
                <th>Training data</th>
                <th>Evaluation</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.items.map((m) => (
                <tr key={m.version}>
                  <td>
                    <strong>{m.version}</strong> {m.active && <Badge text="active" color="green" />}
                  </td>
                  <td>{formatTime(m.createdAt)}</td>
                  <td>
                    {formatNumber(m.trainingStats.units)} units, {formatNumber(m.trainingStats.lines)} lines,{' '}
                    {m.trainingStats.templates} templates, {m.trainingStats.streams} streams,{' '}
                    {formatNumber(m.trainingStats.seconds)} s
                  </td>
                  <td>
                    <Evaluation m={m} />
                  </td>
                  <td>
                    {!m.active && (
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => setPending({ kind: 'activate', version: m.version })}
                      >
                        Activate
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </RequestView>
      {pending && (
        <ConfirmModal
          isOpen
          title={CONFIRM[pending.kind].title}
          body={CONFIRM[pending.kind].body(pending)}
          confirmText={CONFIRM[pending.kind].confirm}
          confirmVariant={CONFIRM[pending.kind].variant}
          onConfirm={() => confirm(pending)}
          onDismiss={() => setPending(null)}
        />
      )}
    </PluginPage>
  );
}
