import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import {
  Alert,
  Button,
  Combobox,
  Field,
  FieldSet,
  Input,
  SecretInput,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';
import type { ComboboxOption } from '@grafana/ui';
import React, { useEffect, useState } from 'react';
import { checkController } from '../../api/controller';
import { ApiError } from '../../api/errors';
import { prometheusBuildInfo } from '../../api/prometheus';
import { listPrometheusDatasources, saveSettings } from '../../api/settings';
import type { DatasourceSummary } from '../../api/settings';
import type { AppJsonData } from '../../types';
import { testIds } from '../testIds';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppJsonData>>;

type Check =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'ok'; text: string }
  | { state: 'error'; text: string };

/** Where the error is: a URL must be absolute http(s) without credentials in it. */
export function validateControllerUrl(url: string): string | undefined {
  if (!url.trim()) return 'Enter the controller URL, e.g. http://127.0.86.49:9700';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL (expected e.g. http://127.0.86.49:9700)`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `Use http:// or https://, not ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) return 'Put the token in the token field, not in the URL';
  return undefined;
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.detail ? `${err.message}: ${err.detail}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

export function AppConfig({ plugin }: AppConfigProps) {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [prometheusUid, setPrometheusUid] = useState(jsonData?.prometheusUid ?? '');
  const [controllerUrl, setControllerUrl] = useState(jsonData?.controllerUrl ?? '');
  const [token, setToken] = useState('');
  const [tokenSet, setTokenSet] = useState(Boolean(secureJsonFields?.controllerToken));
  const [datasources, setDatasources] = useState<DatasourceSummary[]>();
  const [dsError, setDsError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string>();
  const [saveError, setSaveError] = useState<string>();
  const [promCheck, setPromCheck] = useState<Check>({ state: 'idle' });
  const [ctrlCheck, setCtrlCheck] = useState<Check>({ state: 'idle' });
  const urlError = controllerUrl ? validateControllerUrl(controllerUrl) : undefined;

  useEffect(() => {
    listPrometheusDatasources().then(setDatasources, (err) => setDsError(errorText(err)));
  }, []);

  const options: Array<ComboboxOption<string>> = (datasources ?? []).map((d) => ({
    value: d.uid,
    label: d.name,
    description: d.uid,
  }));

  const runChecks = async () => {
    setPromCheck({ state: 'running' });
    setCtrlCheck({ state: 'running' });
    const p = prometheusUid
      ? prometheusBuildInfo(prometheusUid).then(
          (v) => setPromCheck({ state: 'ok', text: `Prometheus ${v} answers` }),
          (err) => setPromCheck({ state: 'error', text: errorText(err) }),
        )
      : Promise.resolve(
          setPromCheck({ state: 'error', text: 'Pick a Prometheus datasource first' }),
        );
    const c = checkController().then(
      (v) => setCtrlCheck({ state: 'ok', text: `okome-controller answers: ${v}` }),
      (err) => setCtrlCheck({ state: 'error', text: errorText(err) }),
    );
    await Promise.all([p, c]);
  };

  const onSave = async (event: React.FormEvent) => {
    event.preventDefault();
    const problem = validateControllerUrl(controllerUrl);
    if (problem) {
      setSaveError(problem);
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    setSaved(undefined);
    try {
      await saveSettings({
        enabled: enabled ?? true,
        pinned: pinned ?? true,
        jsonData: { ...jsonData, prometheusUid, controllerUrl },
        // Only a newly typed token is sent; undefined keeps the stored one.
        secureJsonData: token ? { controllerToken: token } : undefined,
      });
      // Grafana has no supported way to refresh plugin meta: keep our own view of it in step.
      Object.assign(plugin.meta, { jsonData: { ...jsonData, prometheusUid, controllerUrl } });
      if (token) {
        setTokenSet(true);
        setToken('');
      }
      setSaved('Settings saved');
      await runChecks();
    } catch (err) {
      setSaveError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={onSave} data-testid={testIds.appConfig.container} className={styles.form}>
      <FieldSet label="Prometheus">
        <Field
          label="Datasource"
          description="The Prometheus that scrapes the cluster's exporters and holds the okome-slo rules"
          invalid={Boolean(dsError)}
          error={dsError}
        >
          <Combobox
            data-testid={testIds.appConfig.prometheus}
            options={options}
            value={prometheusUid || null}
            placeholder={datasources ? 'Choose a Prometheus datasource' : 'Loading datasources…'}
            onChange={(o) => setPromCheck({ state: 'idle' }) ?? setPrometheusUid(o?.value ?? '')}
            width={50}
          />
        </Field>
      </FieldSet>
      <FieldSet label="okome-controller">
        <Field
          label="Controller URL"
          description="Grafana's plugin proxy forwards /api/plugin-proxy/okome-slo-app/controller/* here"
          invalid={Boolean(urlError)}
          error={urlError}
        >
          <Input
            data-testid={testIds.appConfig.controllerUrl}
            value={controllerUrl}
            placeholder="http://127.0.86.49:9700"
            width={50}
            onChange={(e) => setControllerUrl(e.currentTarget.value)}
          />
        </Field>
        <Field
          label="Controller token"
          description="Stored encrypted in Grafana (secureJsonData); only the proxy adds it, the browser never receives it"
        >
          <SecretInput
            data-testid={testIds.appConfig.controllerToken}
            value={token}
            isConfigured={tokenSet}
            placeholder="Bearer token of okome-controller"
            width={50}
            onChange={(e) => setToken(e.currentTarget.value)}
            onReset={() => {
              setTokenSet(false);
              setToken('');
            }}
          />
        </Field>
      </FieldSet>
      <Stack gap={1}>
        <Button
          type="submit"
          disabled={saving || Boolean(urlError)}
          data-testid={testIds.appConfig.save}
        >
          {saving ? 'Saving…' : 'Save settings'}
        </Button>
        <Button
          type="button"
          variant="secondary"
          onClick={runChecks}
          data-testid={testIds.appConfig.check}
        >
          Test connections
        </Button>
      </Stack>
      {saved && (
        <Text color="success" data-testid={testIds.appConfig.saved}>
          {saved}
        </Text>
      )}
      {saveError && (
        <Alert severity="error" title="Settings not saved">
          {saveError}
        </Alert>
      )}
      <CheckResult
        label="Prometheus"
        check={promCheck}
        testId={testIds.appConfig.checkPrometheus}
      />
      <CheckResult
        label="okome-controller"
        check={ctrlCheck}
        testId={testIds.appConfig.checkController}
      />
    </form>
  );
}

function CheckResult({ label, check, testId }: { label: string; check: Check; testId: string }) {
  if (check.state === 'idle') return null;
  if (check.state === 'running') {
    return <Text color="secondary" data-testid={testId}>{`Checking ${label}…`}</Text>;
  }
  return (
    <div data-testid={testId} data-state={check.state}>
      <Alert severity={check.state === 'ok' ? 'success' : 'error'} title={label}>
        {check.text}
      </Alert>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2), maxWidth: 720 }),
});
