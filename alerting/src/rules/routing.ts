// Fast symptom alerts that drive routing (DESIGN.md §5/§6), generated from the inventory's
// routing pools. They are not SLO pages: each names the pool and backend the controller acts
// on (`okome_action` drain | disable) and is evaluated over short windows so a dead backend
// leaves the pool within seconds on the time-scaled stack.
import type { Inventory, InventoryNode, Pool } from '@okome/provisioning';
import { ENGINE_KINDS } from '@okome/provisioning';
import { ALERT, LABEL, METRIC, groupName } from '../conventions';
import { parseDuration } from '../duration';
import type { Selector } from '../model';
import { checked, formatSelector, num, quote } from '../promql';
import { scaledFor, scaledRange } from '../windows';
import type { AlertingRule, RuleGroup } from './types';

export type RoutingAction = 'drain' | 'disable';

/** Production timings; --time-scale divides them. */
export const ROUTING_TIMING = {
  downFor: 60,
  failureRange: 120,
  /** Share of failed requests on a backend that counts as down. */
  failureRatio: 0.5,
  latencyRange: 300,
  latencyFor: 120,
  gpuFor: 120,
  cacheFor: 60,
} as const;

export interface RoutingAlertMeta {
  alert: string;
  pool: string;
  backend: string;
  action: RoutingAction;
  /** What the generated promtool test feeds to make it fire. */
  fire: { series: string; values: string }[];
  quiet: { series: string; values: string }[];
}

const sel = (metric: string, labels: Record<string, string>): Selector => ({
  metric,
  matchers: Object.entries(labels).map(([name, value]) => ({ name, op: '=', value })),
});

function seriesText(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',')}}`;
}

interface Built {
  rule: AlertingRule;
  meta: RoutingAlertMeta;
}

function routingRules(inv: Inventory, timeScale: number): Built[] {
  const out: Built[] = [];
  const base = inv.slo.runbookBaseUrl.replace(/\/+$/, '');
  const scaleLabel: Record<string, string> =
    timeScale === 1 ? {} : { [LABEL.timeScale]: String(timeScale) };
  const nodes = new Map(inv.nodes.map((n) => [n.id, n]));

  const add = (
    alert: string,
    pool: Pool,
    node: InventoryNode,
    action: RoutingAction,
    severity: string,
    expr: string,
    forSeconds: number,
    summary: string,
    fire: RoutingAlertMeta['fire'],
    quiet: RoutingAlertMeta['quiet'],
  ) =>
    out.push({
      rule: {
        alert,
        expr: checked(expr),
        for: scaledFor(forSeconds, timeScale),
        labels: {
          [LABEL.cluster]: inv.cluster,
          [LABEL.node]: node.id,
          [LABEL.hop]: pool.hop,
          [LABEL.action]: action,
          [LABEL.pool]: pool.name,
          [LABEL.backend]: node.id,
          [LABEL.severity]: severity,
          ...scaleLabel,
        },
        annotations: {
          summary,
          description: `okome-controller will ${action} ${node.id} in pool ${pool.name} (guardrails permitting) and revert when this resolves.`,
          runbook_url: `${base}/routing/${alert}`,
        },
      },
      meta: { alert, pool: pool.name, backend: node.id, action, fire, quiet },
    });

  for (const pool of inv.routing.pools) {
    for (const backend of pool.backends) {
      const node = nodes.get(backend.node);
      if (!node) continue;
      const svc = node.services.find((s) => s.name === backend.service);
      const on = { cluster: inv.cluster, node: node.id };
      const upNames = ['up', 'probe_success', ...(svc?.kind === 'ollama' ? [METRIC.ollamaUp] : [])];
      const target = { ...on, job: 'okome-exporter', instance: `${node.id}:${node.exporterPort}` };
      const hopSel = { ...on, hop: pool.hop };
      const fr = scaledRange(ROUTING_TIMING.failureRange, timeScale);
      add(
        ALERT.backendDown,
        pool,
        node,
        'disable',
        'critical',
        // Only this backend's own probe counts (`service`; the exporter's `up` has none): a
        // slow single-slot Ollama probe on CORE must not take CORE's vLLM out of its pool.
        `min by (node) ({__name__=~${quote(upNames.join('|'))},cluster=${quote(inv.cluster)},node=${quote(node.id)},service=~${quote(`${backend.service}|`)}}) == 0\n` +
          `or\n` +
          `(sum by (node) (rate(${formatSelector(sel(METRIC.failures, hopSel))}[${fr}])) / sum by (node) (rate(${formatSelector(sel(METRIC.requests, hopSel))}[${fr}]))) > ${num(ROUTING_TIMING.failureRatio)}`,
        ROUTING_TIMING.downFor,
        `${node.id} (${backend.service}) is down: target, probe${svc?.kind === 'ollama' ? ', Ollama' : ''} or most requests failing`,
        [{ series: seriesText('up', target), values: '0x40' }],
        [{ series: seriesText('up', target), values: '1x40' }],
      );

      const budget = inv.budgets.hops.find(
        (b) => b.signal === 'first-token' && b.hop === pool.hop && (!b.node || b.node === node.id),
      );
      if (budget) {
        const t = parseDuration(budget.threshold) ?? 0;
        const lr = scaledRange(ROUTING_TIMING.latencyRange, timeScale);
        const bucket = (le: string) => seriesText(`${METRIC.firstToken}_bucket`, { ...hopSel, le });
        add(
          ALERT.firstTokenBudget,
          pool,
          node,
          'drain',
          'warning',
          `histogram_quantile(${num(budget.quantile)}, sum by (le) (rate(${formatSelector(sel(`${METRIC.firstToken}_bucket`, hopSel))}[${lr}]))) > ${num(t)}`,
          ROUTING_TIMING.latencyFor,
          `${node.id}: p${num(budget.quantile * 100)} first token above its ${budget.threshold} budget`,
          [
            { series: bucket(num(t)), values: '0x40' },
            { series: bucket(num(t * 2)), values: '0+10x40' },
            { series: bucket('+Inf'), values: '0+10x40' },
          ],
          [
            { series: bucket(num(t)), values: '0+10x40' },
            { series: bucket(num(t * 2)), values: '0+10x40' },
            { series: bucket('+Inf'), values: '0+10x40' },
          ],
        );
      }

      const engine =
        svc && (ENGINE_KINDS as readonly string[]).includes(svc.kind) ? svc.kind : undefined;
      const gpu = engine && node.gpus.find((g) => g.budgets.some((b) => b.engine === engine));
      if (engine && gpu) {
        const gl = { ...on, engine };
        const series = { ...gl, uuid: gpu.uuid ?? `gpu-${gpu.index}` };
        const mib = (gpu.budgets.find((b) => b.engine === engine)?.memoryMiB ?? 0) * 1048576;
        add(
          ALERT.gpuMemoryOverBudget,
          pool,
          node,
          'drain',
          'warning',
          `max by (node, engine) (${formatSelector(sel(METRIC.gpuEngineUsed, gl))} > ${formatSelector(sel(METRIC.gpuEngineBudget, gl))})`,
          ROUTING_TIMING.gpuFor,
          `${node.id}: ${engine} uses more GPU memory than its arbitration budget`,
          [
            { series: seriesText(METRIC.gpuEngineUsed, series), values: `${mib * 1.1}x40` },
            { series: seriesText(METRIC.gpuEngineBudget, series), values: `${mib}x40` },
          ],
          [
            { series: seriesText(METRIC.gpuEngineUsed, series), values: `${mib * 0.5}x40` },
            { series: seriesText(METRIC.gpuEngineBudget, series), values: `${mib}x40` },
          ],
        );
      }

      if (node.roles.includes('cache') || node.services.some((s) => s.kind === 'redis')) {
        add(
          ALERT.cacheNodeDown,
          pool,
          node,
          'disable',
          'critical',
          `min by (node) (${formatSelector(sel(METRIC.redisUp, on))}) == 0`,
          ROUTING_TIMING.cacheFor,
          `${node.id}: Redis edge cache is down`,
          [{ series: seriesText(METRIC.redisUp, target), values: '0x40' }],
          [{ series: seriesText(METRIC.redisUp, target), values: '1x40' }],
        );
      }
    }
  }
  return out;
}

export function routingGroup(
  inv: Inventory,
  timeScale: number,
): { group: RuleGroup; meta: RoutingAlertMeta[] } {
  const built = routingRules(inv, timeScale);
  return {
    group: { name: groupName(inv.cluster, 'routing', timeScale), rules: built.map((b) => b.rule) },
    meta: built.map((b) => b.meta),
  };
}
