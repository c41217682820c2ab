import { Alert, Button, Field, InlineSwitch, Input, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/errors';
import { MODEL_NAMES, type Threshold, type ThresholdPreview } from '../api/types';
import { useApp } from '../components/app-context';
import { ErrorView } from '../components/RequestView';
import { getPageStyles } from '../components/styles';
import { toDraft, validateThreshold, type ThresholdDraft } from './threshold-validation';

interface Props {
  initial: Threshold;
  /** undefined edits the global threshold. */
  stream?: string;
  onSaved: () => void;
}

export function ThresholdForm({ initial, stream, onSaved }: Props) {
  const { client } = useApp();
  const styles = useStyles2(getPageStyles);
  const [draft, setDraft] = useState<ThresholdDraft>(() => toDraft(initial));
  const [touched, setTouched] = useState(false);
  const [preview, setPreview] = useState<ThresholdPreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null);
  const { errors, value } = validateThreshold(draft);
  const shown = touched ? errors : {};

  const edit = (next: ThresholdDraft) => {
    setDraft(next);
    setTouched(true);
    setPreview(null);
    setSaved(false);
  };
  const run = async (what: 'preview' | 'save') => {
    setTouched(true);
    if (!value) return;
    setBusy(what);
    setError(null);
    try {
      if (what === 'preview') setPreview(await client.previewThreshold(value, stream));
      else {
        await client.saveThreshold(value, stream);
        setSaved(true);
        onSaved();
      }
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form
      aria-label="Threshold"
      onSubmit={(e) => {
        e.preventDefault();
        run('save');
      }}
    >
      <div className={styles.filters}>
        <Field
          label="Minimum score"
          description="Units scoring at or above this (0-100) and within the false alarm rate are anomalies"
          invalid={!!shown.minScore}
          error={shown.minScore}
          noMargin
        >
          <Input
            aria-label="Minimum score"
            width={16}
            value={draft.minScore}
            onChange={(e) => edit({ ...draft, minScore: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="False alarm rate"
          description="Largest tail probability an anomaly may have (0 < x < 0.5); the stricter of the two limits decides"
          invalid={!!shown.falseAlarmRate}
          error={shown.falseAlarmRate}
          noMargin
        >
          <Input
            aria-label="False alarm rate"
            width={16}
            value={draft.falseAlarmRate}
            onChange={(e) => edit({ ...draft, falseAlarmRate: e.currentTarget.value })}
          />
        </Field>
      </div>
      <table className={styles.table} aria-label="Models" style={{ maxWidth: 560 }}>
        <thead>
          <tr>
            <th>Model</th>
            <th>Enabled</th>
            <th>Weight (0-10)</th>
          </tr>
        </thead>
        <tbody>
          {MODEL_NAMES.map((m) => (
            <tr key={m}>
              <td>{m}</td>
              <td>
                <InlineSwitch
                  aria-label={`${m} enabled`}
                  value={draft.models[m].enabled}
                  onChange={(e) =>
                    edit({
                      ...draft,
                      models: {
                        ...draft.models,
                        [m]: { ...draft.models[m], enabled: e.currentTarget.checked },
                      },
                    })
                  }
                />
              </td>
              <td>
                <Field invalid={!!shown[`weight.${m}`]} error={shown[`weight.${m}`]} noMargin>
                  <Input
                    aria-label={`${m} weight`}
                    width={10}
                    value={draft.models[m].weight}
                    onChange={(e) =>
                      edit({
                        ...draft,
                        models: {
                          ...draft.models,
                          [m]: { ...draft.models[m], weight: e.currentTarget.value },
                        },
                      })
                    }
                  />
                </Field>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.models && <Alert title={shown.models} severity="error" />}
      <div className={styles.actions} style={{ marginTop: 16 }}>
        <Button
          type="button"
          variant="secondary"
          icon="eye"
          disabled={busy !== null}
          onClick={() => run('preview')}
        >
          Preview
        </Button>
        <Button type="submit" icon="save" disabled={busy !== null}>
          Save
        </Button>
      </div>
      {preview && (
        <Alert title="Preview over the last 24 h" severity="info" style={{ marginTop: 16 }}>
          <span data-testid="preview">
            Current setting: <strong>{preview.current}</strong> anomalies; proposed:{' '}
            <strong>{preview.proposed}</strong> anomalies (of {preview.units} units scored).
          </span>
        </Alert>
      )}
      {saved && <Alert title="Threshold saved" severity="success" style={{ marginTop: 16 }} />}
      {error && <ErrorView error={error} />}
    </form>
  );
}
