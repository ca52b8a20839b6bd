// Grafana provisioning for one inventory (Grafana's file provisioning, apiVersion 1):
// datasources for each Prometheus of the pair, each Alertmanager and Loki; the okome-slo-app
// plugin enabled with its jsonData and the controller token from an environment variable; a
// file provider for the OKOME dashboards; and, for sites that use Grafana alerting instead of
// Alertmanager, contact points and a notification policy tree that route like alertmanager.yml.
// Pure: no disk, no env; `$VAR` references are expanded by Grafana when it reads the files.
import { stringify } from 'yaml';
import type { Inventory, InventoryNode, ServiceKind } from '../inventory/schema';
import type { AddressOptions } from './common';
import { generatedHeader, nodeAddress, observabilityNodes } from './common';
import { CONTROLLER_ALERTS_PATH, LABEL, PLACEHOLDER_WEBHOOK, RECEIVER } from './conventions';
import type { RenderedFile } from './bundle';

export const GRAFANA_PROVISIONING_DIR = 'grafana/provisioning';
export const PLUGIN_ID = 'okome-slo-app';
/** Environment variable Grafana reads the controller's bearer token from. */
export const CONTROLLER_TOKEN_ENV = 'OKOME_CONTROLLER_TOKEN';
/** Where the dashboards provider looks for the JSON files on the Grafana host. */
export const DEFAULT_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/okome';
export const DEFAULT_CONTROLLER_PORT = 9700;

export type GrafanaServiceKind = Extract<ServiceKind, 'prometheus' | 'alertmanager' | 'loki'>;

export interface GrafanaProvisioningOptions extends AddressOptions {
  dashboardsPath?: string;
  /** Override the controller base URL (from `observability.controller` otherwise). */
  controllerUrl?: string;
  tokenEnv?: string;
  pageWebhookUrl?: string;
  ticketWebhookUrl?: string;
  /**
   * Base URL of a service as Grafana reaches it, for deployments where that is not the node's
   * address (a container network); undefined keeps the inventory (or loopback) address.
   */
  serviceUrl?: (
    kind: GrafanaServiceKind | 'controller',
    node: InventoryNode,
    port: number,
  ) => string | undefined;
}

export interface GrafanaDatasource {
  name: string;
  uid: string;
  type: 'prometheus' | 'alertmanager' | 'loki';
  url: string;
  node: string;
}

const slug = (id: string) => id.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Datasource uid of a service on a node; stable, so dashboards and the plugin can name it. */
export function datasourceUid(kind: GrafanaServiceKind, nodeId: string): string {
  return `okome-${kind}-${slug(nodeId)}`;
}

function url(
  inv: Inventory,
  node: InventoryNode,
  kind: GrafanaServiceKind | 'controller',
  port: number,
  opts: GrafanaProvisioningOptions,
): string {
  return opts.serviceUrl?.(kind, node, port) ?? `http://${nodeAddress(inv, node.id, opts)}:${port}`;
}

/** Every Prometheus, Alertmanager and Loki of the observability nodes, in node order. */
export function grafanaDatasources(
  inv: Inventory,
  opts: GrafanaProvisioningOptions = {},
): GrafanaDatasource[] {
  const kinds: [GrafanaServiceKind, string][] = [
    ['prometheus', 'Prometheus'],
    ['alertmanager', 'Alertmanager'],
    ['loki', 'Loki'],
  ];
  return kinds.flatMap(([kind, label]) =>
    observabilityNodes(inv).flatMap((node) =>
      node.services
        .filter((s) => s.kind === kind)
        .map((s) => ({
          name: `${label} ${node.id}`,
          uid: datasourceUid(kind, node.id),
          type: kind,
          url: url(inv, node, kind, s.port, opts),
          node: node.id,
        })),
    ),
  );
}

/** The controller's base URL: the inventory's, else the first observability node on 9700. */
export function grafanaControllerUrl(
  inv: Inventory,
  opts: GrafanaProvisioningOptions = {},
): string {
  if (opts.controllerUrl) return opts.controllerUrl;
  const ctl = inv.observability.controller;
  const node = ctl ? inv.nodes.find((n) => n.id === ctl.node) : observabilityNodes(inv)[0];
  const port = ctl?.port ?? DEFAULT_CONTROLLER_PORT;
  if (!node) return `http://127.0.0.1:${port}`;
  return url(inv, node, 'controller', port, opts);
}

const header = (inv: Inventory, what: string, extra: string[] = []) =>
  generatedHeader(inv, what, extra);

export function renderGrafanaDatasources(
  inv: Inventory,
  opts: GrafanaProvisioningOptions = {},
): string {
  const all = grafanaDatasources(inv, opts);
  const firstProm = all.find((d) => d.type === 'prometheus');
  const datasources = all.map((d) => {
    const base = {
      name: d.name,
      uid: d.uid,
      type: d.type,
      access: 'proxy',
      url: d.url,
      editable: false,
      isDefault: d === firstProm,
    };
    switch (d.type) {
      case 'prometheus':
        return {
          ...base,
          jsonData: {
            httpMethod: 'POST',
            timeInterval: inv.observability.scrapeInterval,
            prometheusType: 'Prometheus',
            // Alerting lives in Prometheus rules (okome-slo), not in Grafana-managed rules.
            manageAlerts: false,
          },
        };
      case 'alertmanager':
        return {
          ...base,
          jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
        };
      case 'loki':
        return { ...base, jsonData: { maxLines: 1000 } };
    }
  });
  return (
    header(inv, 'Grafana datasources', [
      'Both Prometheus of the HA pair scrape the same targets: either answers every dashboard.',
    ]) + stringify({ apiVersion: 1, datasources })
  );
}

export function renderGrafanaPlugin(inv: Inventory, opts: GrafanaProvisioningOptions = {}): string {
  const prom = grafanaDatasources(inv, opts).find((d) => d.type === 'prometheus');
  const env = opts.tokenEnv ?? CONTROLLER_TOKEN_ENV;
  const app = {
    type: PLUGIN_ID,
    org_id: 1,
    disabled: false,
    jsonData: {
      controllerUrl: grafanaControllerUrl(inv, opts),
      ...(prom ? { prometheusUid: prom.uid } : {}),
    },
    // Grafana expands $VAR from its environment; the token never sits in this file.
    secureJsonData: { controllerToken: `$${env}` },
  };
  return (
    header(inv, 'Grafana app plugin okome-slo-app', [
      `Needs ${env} in Grafana's environment (the controller's bearer token).`,
    ]) + stringify({ apiVersion: 1, apps: [app] })
  );
}

export function renderGrafanaDashboardProvider(
  inv: Inventory,
  opts: GrafanaProvisioningOptions = {},
): string {
  const provider = {
    name: 'okome',
    orgId: 1,
    folder: 'OKOME',
    folderUid: 'okome',
    type: 'file',
    disableDeletion: true,
    allowUiUpdates: false,
    updateIntervalSeconds: 60,
    options: {
      path: opts.dashboardsPath ?? DEFAULT_DASHBOARDS_PATH,
      foldersFromFilesStructure: false,
    },
  };
  return (
    header(inv, 'Grafana dashboards provider', [
      "Copy the repository's dashboards/*.json to options.path (okome-provision deploy does).",
    ]) + stringify({ apiVersion: 1, providers: [provider] })
  );
}

/**
 * Contact points and policies for Grafana alerting, mirroring alertmanager.yml: alerts with an
 * okome_action go to the controller (and continue), pages to on-call, everything else to tickets.
 */
export function renderGrafanaAlerting(
  inv: Inventory,
  opts: GrafanaProvisioningOptions = {},
): string {
  const env = opts.tokenEnv ?? CONTROLLER_TOKEN_ENV;
  const webhook = (name: string, target: string, extra: Record<string, unknown> = {}) => ({
    orgId: 1,
    name,
    receivers: [
      {
        uid: `okome-${name}`,
        type: 'webhook',
        disableResolveMessage: false,
        settings: { url: target, httpMethod: 'POST', ...extra },
      },
    ],
  });
  const groupBy = [LABEL.alertname, LABEL.cluster, LABEL.slo, LABEL.pool];
  return (
    header(inv, 'Grafana alerting contact points and policies', [
      'Only for sites that run Grafana alerting instead of the Alertmanager pair.',
    ]) +
    stringify({
      apiVersion: 1,
      contactPoints: [
        webhook(
          RECEIVER.controller,
          `${grafanaControllerUrl(inv, opts)}${CONTROLLER_ALERTS_PATH}`,
          {
            authorization_scheme: 'Bearer',
            authorization_credentials: `$${env}`,
          },
        ),
        webhook(RECEIVER.page, opts.pageWebhookUrl ?? PLACEHOLDER_WEBHOOK.page),
        webhook(RECEIVER.ticket, opts.ticketWebhookUrl ?? PLACEHOLDER_WEBHOOK.ticket),
      ],
      policies: [
        {
          orgId: 1,
          receiver: RECEIVER.ticket,
          group_by: groupBy,
          group_wait: '30s',
          group_interval: '5m',
          repeat_interval: '4h',
          routes: [
            {
              receiver: RECEIVER.controller,
              object_matchers: [
                [LABEL.action, '=~', '.+'],
                [LABEL.cluster, '=', inv.cluster],
              ],
              group_wait: '0s',
              group_interval: '10s',
              continue: true,
            },
            { receiver: RECEIVER.page, object_matchers: [[LABEL.severity, '=', 'page']] },
            { receiver: RECEIVER.ticket, object_matchers: [[LABEL.severity, '=', 'ticket']] },
          ],
        },
      ],
    })
  );
}

/** Every provisioning file, relative to the output folder (`grafana/provisioning/...`). */
export function renderGrafanaProvisioning(
  inv: Inventory,
  opts: GrafanaProvisioningOptions = {},
): RenderedFile[] {
  const d = GRAFANA_PROVISIONING_DIR;
  return [
    { path: `${d}/datasources/okome.yaml`, content: renderGrafanaDatasources(inv, opts) },
    { path: `${d}/plugins/${PLUGIN_ID}.yaml`, content: renderGrafanaPlugin(inv, opts) },
    { path: `${d}/dashboards/okome.yaml`, content: renderGrafanaDashboardProvider(inv, opts) },
    { path: `${d}/alerting/okome.yaml`, content: renderGrafanaAlerting(inv, opts) },
  ];
}
