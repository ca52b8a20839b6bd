// Public entry of @okome/dashboards: the six OKOME dashboards as Grafana JSON models, built for
// one inventory (thresholds come from its budgets), and their file names in dashboards/.
export { buildDashboards, dashboardText } from './build';
export type { DashboardFile } from './build';
export { DATASOURCE, SCHEMA_VERSION, GRID_WIDTH, DASHBOARD_TAG } from './builder';
export { BURN_WINDOWS } from './dashboards/slo-burn';
export {
  writeDashboards,
  checkDashboards,
  formattedText,
  DASHBOARDS_DIR,
  DEFAULT_INVENTORY,
} from './files';
export type { CheckResult } from './files';
