export * from './inventory/schema';
export * from './inventory/errors';
export { parseInventory, loadInventory } from './inventory/load';
export type { ParseResult } from './inventory/load';
export { checkRules } from './inventory/rules';
export * from './inventory/loopback';
export * from './inventory/query';
export { inventoryJsonSchema, renderInventoryJsonSchema } from './inventory/json-schema';
export { JOBS, RECEIVER, PLACEHOLDER_WEBHOOK, TAP_NODE_FLAGS } from './render/conventions';
export type { TargetJob } from './render/conventions';
export { RenderError } from './render/errors';
export { nodeAddress, durationMs } from './render/common';
export type { AddressOptions } from './render/common';
export {
  targetGroups,
  targetJobs,
  renderFileSdTargets,
  alertmanagerTargets,
  controllerUrl,
} from './render/targets';
export type { TargetGroup } from './render/targets';
export { renderPrometheusConfig } from './render/prometheus';
export type { PrometheusConfigOptions } from './render/prometheus';
export { renderAlertmanagerConfig, renderAlertmanagerTemplate } from './render/alertmanager';
export type { AlertmanagerConfigOptions } from './render/alertmanager';
export {
  nginxUpstreamName,
  renderNginxUpstream,
  renderNginxServer,
  renderNginxMain,
} from './render/nginx';
export type { NginxMainOptions } from './render/nginx';
export { renderAll, TARGETS_DIR, ALERTMANAGER_TEMPLATE } from './render/bundle';
export type { RenderAllOptions, RenderedFile } from './render/bundle';
export { stackLayout, REPO_ROOT } from './stack/layout';
export type { StackLayout } from './stack/layout';
export { stackUp, stackDown, stackStatus } from './stack/launcher';
export type { ComponentHealth, UpOptions } from './stack/launcher';
export { StackError } from './stack/errors';
export { isAlive as processIsRunning } from './stack/process';
export {
  renderGrafanaProvisioning,
  renderGrafanaDatasources,
  renderGrafanaPlugin,
  renderGrafanaDashboardProvider,
  renderGrafanaAlerting,
  grafanaDatasources,
  grafanaControllerUrl,
  datasourceUid,
  GRAFANA_PROVISIONING_DIR,
  CONTROLLER_TOKEN_ENV,
  DEFAULT_DASHBOARDS_PATH,
  PLUGIN_ID,
} from './render/grafana';
export type {
  GrafanaProvisioningOptions,
  GrafanaDatasource,
  GrafanaServiceKind,
} from './render/grafana';
export {
  renderSystemd,
  renderExporterUnit,
  renderPrometheusUnit,
  renderAlertmanagerUnit,
  renderControllerUnit,
  renderInstallScript,
  renderSysctl,
  renderLimits,
  exporterCollectors,
  nodeUnits,
  nodeHealthUrl,
  SYSTEMD_DIR,
  SYSCTL,
  SYSCTL_FILE,
  LIMITS_FILE,
  UNIT,
  NOFILE,
} from './render/systemd';
export type { SystemdRenderOptions } from './render/systemd';
export { renderTargets, parseRenderTargets, RENDER_TARGETS } from './render/targets-select';
export type { RenderTarget, RenderTargetsOptions } from './render/targets-select';
export * from './deploy/index';
