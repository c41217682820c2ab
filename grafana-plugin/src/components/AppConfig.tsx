import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { LogsieveClient } from '../api/client';
import { describeError, toApiError } from '../api/errors';
import type { Health } from '../api/types';
import { API_BASE, SETTINGS_URL } from '../constants';
import type { AppSettings } from './app-context';

interface SecureFields {
  apiKey?: boolean;
}

export function validateUrl(url: string): string | null {
  if (!url.trim()) return 'Enter the URL of the logsieve REST API, e.g. http://logsieve:8080';
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Use an http:// or https:// URL';
    if (u.pathname.replace(/\/$/, '') !== '')
      return 'Give the service root, without a path (the app adds /api/v1)';
  } catch {
    return 'Not a valid URL';
  }
  return null;
}

type TestResult = { ok: true; health: Health } | { ok: false; title: string; detail: string };

export function AppConfig({ plugin }: PluginConfigPageProps<AppPluginMeta<AppSettings>>) {
  const meta = plugin.meta;
  const [url, setUrl] = useState(meta.jsonData?.logsieveUrl ?? '');
  const [promUid, setPromUid] = useState(meta.jsonData?.prometheusUid ?? '');
  const [apiKey, setApiKey] = useState('');
  const [keySet, setKeySet] = useState(Boolean((meta.secureJsonFields as SecureFields | undefined)?.apiKey));
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const urlError = validateUrl(url);

  const save = async () => {
    setTouched(true);
    if (urlError) return;
    setSaving(true);
    setSaveError(null);
    try {
      const jsonData: AppSettings = {
        logsieveUrl: url.trim().replace(/\/$/, ''),
        prometheusUid: promUid || undefined,
      };
      await lastValueFrom(
        getBackendSrv().fetch({
          url: SETTINGS_URL,
          method: 'POST',
          data: {
            enabled: true,
            pinned: true,
            jsonData,
            // Only send the key when it changed; an empty object keeps the stored one.
            secureJsonData: apiKey ? { apiKey } : keySet ? {} : { apiKey: '' },
          },
          showErrorAlert: false,
        }),
      );
      if (apiKey) setKeySet(true);
      setApiKey('');
      setSaved(true);
    } catch (err) {
      setSaveError(describeError(toApiError(err)).detail);
    } finally {
      setSaving(false);
    }
  };

  const testConnection = async () => {
    setTest(null);
    try {
      const health = await new LogsieveClient(getBackendSrv(), API_BASE).health();
      setTest({ ok: true, health });
    } catch (err) {
      setTest({ ok: false, ...describeError(toApiError(err)) });
    }
  };

  return (
    <div>
      <FieldSet label="logsieve service">
        <Field
          label="logsieve URL"
          description="Where Grafana's server reaches the logsieve REST API (port 8080 by default)"
          invalid={touched && !!urlError}
          error={touched ? urlError : undefined}
        >
          <Input
            aria-label="logsieve URL"
            width={60}
            placeholder="http://logsieve:8080"
            value={url}
            onChange={(e) => {
              setUrl(e.currentTarget.value);
              setSaved(false);
            }}
            onBlur={() => setTouched(true)}
          />
        </Field>
        <Field
          label="API key"
          description="Sent by Grafana's proxy as a Bearer token; never reaches the browser"
        >
          <SecretInput
            aria-label="API key"
            width={60}
            isConfigured={keySet}
            value={apiKey}
            placeholder="logsieve API key"
            onChange={(e) => setApiKey(e.currentTarget.value)}
            onReset={() => {
              setKeySet(false);
              setApiKey('');
            }}
          />
        </Field>
        <Field
          label="Prometheus data source"
          description="The Prometheus that scrapes logsieve's /metrics (for score graphs)"
        >
          <DataSourcePicker
            width={60}
            pluginId="prometheus"
            current={promUid || null}
            noDefault
            onChange={(ds) => setPromUid(ds.uid)}
          />
        </Field>
      </FieldSet>
      <div style={{ display: 'flex', gap: 8 }}>
        <Button onClick={save} disabled={saving}>
          Save settings
        </Button>
        <Button variant="secondary" onClick={testConnection}>
          Test connection
        </Button>
      </div>
      {saved && (
        <Alert title="Settings saved" severity="success" style={{ marginTop: 16 }}>
          Reload the page for the app to use them.
        </Alert>
      )}
      {saveError && (
        <Alert title="Could not save settings" severity="error" style={{ marginTop: 16 }}>
          {saveError}
        </Alert>
      )}
      {test?.ok === true && (
        <Alert title="Connected to logsieve" severity="success" style={{ marginTop: 16 }}>
          logsieve {test.health.version}, status {test.health.status}, model {test.health.model.state}
          {test.health.model.version ? ` (${test.health.model.version})` : ''}, storage {test.health.storage}.
        </Alert>
      )}
      {test?.ok === false && (
        <Alert title={`Connection failed: ${test.title}`} severity="error" style={{ marginTop: 16 }}>
          {test.detail} The test uses the saved settings: save first.
        </Alert>
      )}
    </div>
  );
}
