// Alertmanager: routing alerts (okome_action) go to the controller first and fast, then on
// like any other alert; pages and tickets go by severity. Inhibitions keep one failure from
// paging twice: a backend that is down does not also page for its latency.
import { stringify } from 'yaml';
import type { Inventory } from '../inventory/schema';
import { generatedHeader } from './common';
import {
  ACTIONS,
  ALERT,
  CONTROLLER_ALERTS_PATH,
  LABEL,
  PLACEHOLDER_WEBHOOK,
  RECEIVER,
} from './conventions';

export interface AlertmanagerConfigOptions {
  /** Base URL of okome-controller, e.g. http://okome-node-09:9700 (see `controllerUrl`). */
  controllerUrl: string;
  /** File holding the controller's bearer token; Alertmanager reads it on every request. */
  tokenFile: string;
  /** Notification templates to load (e.g. the file of `renderAlertmanagerTemplate`). */
  templateFiles?: string[];
  /** Real on-call and ticket webhooks; without them loopback placeholders are rendered. */
  pageWebhookUrl?: string;
  ticketWebhookUrl?: string;
  /**
   * How soon a changed routing-alert group (e.g. resolved) reaches the controller again
   * (default 30s); the time-scaled simulator uses seconds so reverts follow recoveries.
   */
  actionGroupInterval?: string;
}

const q = (value: string) => JSON.stringify(value);

export function renderAlertmanagerConfig(inv: Inventory, opts: AlertmanagerConfigOptions): string {
  const base = opts.controllerUrl.replace(/\/+$/, '');
  const placeholders = !opts.pageWebhookUrl || !opts.ticketWebhookUrl;
  const config = {
    global: { resolve_timeout: '5m' },
    ...(opts.templateFiles?.length ? { templates: opts.templateFiles } : {}),
    route: {
      receiver: RECEIVER.ticket,
      group_by: [LABEL.alertname, LABEL.cluster, LABEL.slo],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        {
          // Routing actions must reach the controller within seconds; `continue` lets the same
          // alert also page or open a ticket through the routes below.
          receiver: RECEIVER.controller,
          matchers: [`${LABEL.action}=~${q(ACTIONS.join('|'))}`],
          group_by: [LABEL.alertname, LABEL.pool, LABEL.backend],
          group_wait: '5s',
          group_interval: opts.actionGroupInterval ?? '30s',
          repeat_interval: '5m',
          continue: true,
        },
        { receiver: RECEIVER.page, matchers: [`${LABEL.severity}=${q('page')}`] },
        { receiver: RECEIVER.ticket, matchers: [`${LABEL.severity}=${q('ticket')}`] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: [`${LABEL.alertname}=${q(ALERT.backendDown)}`],
        target_matchers: [`${LABEL.alertname}=${q(ALERT.firstTokenBudget)}`],
        equal: [LABEL.cluster, LABEL.backend],
      },
      {
        source_matchers: [`${LABEL.severity}=${q('page')}`],
        target_matchers: [`${LABEL.severity}=${q('ticket')}`],
        equal: [LABEL.cluster, LABEL.slo],
      },
    ],
    receivers: [
      {
        name: RECEIVER.controller,
        webhook_configs: [
          {
            url: `${base}${CONTROLLER_ALERTS_PATH}`,
            send_resolved: true,
            http_config: { authorization: { type: 'Bearer', credentials_file: opts.tokenFile } },
          },
        ],
      },
      {
        name: RECEIVER.page,
        webhook_configs: [
          { url: opts.pageWebhookUrl ?? PLACEHOLDER_WEBHOOK.page, send_resolved: true },
        ],
      },
      {
        name: RECEIVER.ticket,
        webhook_configs: [
          { url: opts.ticketWebhookUrl ?? PLACEHOLDER_WEBHOOK.ticket, send_resolved: false },
        ],
      },
    ],
  };
  const notes = placeholders
    ? [
        '',
        `PLACEHOLDERS: receivers "${RECEIVER.page}" and "${RECEIVER.ticket}" point at 127.0.0.1:9 (nothing`,
        'listens there). Replace them with your paging and ticketing webhooks, or render with',
        '--page-webhook-url / --ticket-webhook-url.',
      ]
    : [];
  return generatedHeader(inv, 'Alertmanager', notes) + stringify(config, { lineWidth: 0 });
}

/**
 * Notification templates with the runbook link: the alert's `runbook_url` label or annotation,
 * else `<slo.runbookBaseUrl>/<alertname>`. For receivers that render text (email, chat);
 * webhook receivers get the labels as JSON.
 */
export function renderAlertmanagerTemplate(inv: Inventory): string {
  const base = inv.slo.runbookBaseUrl.replace(/\/+$/, '');
  const header = generatedHeader(inv, 'Alertmanager notification templates').trimEnd();
  return [
    `{{/*\n${header}\n*/}}`,
    `{{ define "okome.runbook" -}}`,
    `{{- if .CommonLabels.${LABEL.runbookUrl} }}{{ .CommonLabels.${LABEL.runbookUrl} }}`,
    `{{- else if .CommonAnnotations.${LABEL.runbookUrl} }}{{ .CommonAnnotations.${LABEL.runbookUrl} }}`,
    `{{- else }}${base}/{{ .CommonLabels.${LABEL.alertname} }}{{ end -}}`,
    `{{- end }}`,
    '',
    `{{ define "okome.title" -}}`,
    `[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.${LABEL.alertname} }}`,
    `{{- with .CommonLabels.${LABEL.slo} }} slo={{ . }}{{ end }}`,
    `{{- with .CommonLabels.${LABEL.backend} }} backend={{ . }}{{ end }} ({{ .CommonLabels.${LABEL.cluster} }})`,
    `{{- end }}`,
    '',
    `{{ define "okome.text" -}}`,
    `{{ range .Alerts }}- {{ .Labels.${LABEL.alertname} }}{{ with .Labels.${LABEL.hop} }} hop={{ . }}{{ end }}{{ with .Labels.${LABEL.action} }} action={{ . }}{{ end }}: {{ .Annotations.summary }}`,
    `{{ end }}Runbook: {{ template "okome.runbook" . }}`,
    `{{- end }}`,
    '',
  ].join('\n');
}
