// The six dashboards for one inventory, and the text each one is written as.
import type { Dashboard } from '@grafana/schema';
import type { Inventory } from '@okome/provisioning';
import { engineThroughput } from './dashboards/engine-throughput';
import { gpuArbitration } from './dashboards/gpu-arbitration';
import { latencyBudget } from './dashboards/latency-budget';
import { redisEdgeCache } from './dashboards/redis-edge-cache';
import { sloBurn } from './dashboards/slo-burn';
import { sreOverview } from './dashboards/sre-overview';

export interface DashboardFile {
  /** File name in dashboards/ (and in the plugin's dashboards/ folder). */
  file: string;
  dashboard: Dashboard;
}

export function buildDashboards(inv: Inventory): DashboardFile[] {
  return [
    { file: 'sre-overview.json', dashboard: sreOverview(inv) },
    { file: 'latency-budget.json', dashboard: latencyBudget(inv) },
    { file: 'gpu-arbitration.json', dashboard: gpuArbitration(inv) },
    { file: 'redis-edge-cache.json', dashboard: redisEdgeCache() },
    { file: 'engine-throughput.json', dashboard: engineThroughput(inv) },
    { file: 'slo-burn.json', dashboard: sloBurn() },
  ];
}

/** The text written to disk: stable key order as built, two-space indent, final newline. */
export function dashboardText(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
