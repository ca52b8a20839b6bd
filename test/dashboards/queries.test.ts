// Every panel query of every dashboard, with its variables substituted as Grafana would, runs
// against the shared stack's real Prometheus while the simulator is under load: no query
// error, no empty panel. Run with the node variable on All and on a real node of each kind.
import { existsSync } from 'node:fs';
import { loadInventory } from '@okome/provisioning';
import type { Dashboard } from '@grafana/schema';
import { STACK } from '../setup/stack';
import { loadDashboards, panelsOf, substitute, targetsOf } from './dashboards';
import type { Substitution } from './dashboards';
import { loadTargets, startLoad } from './load';
import type { RunningLoad } from './load';
import { hasNumbers, promQuery } from './prometheus';

const PROM = STACK.prometheus[0];
const CLUSTER = 'okome';
/** A node that has the thing each dashboard is about (OKOME inventory). */
const SAMPLE_NODE: Record<string, string> = {
  'okome-sre-overview': 'NODE-01',
  'okome-latency-budget': 'CORE',
  'okome-gpu-arbitration': 'CORE',
  'okome-redis-edge-cache': 'NODE-03',
  'okome-engine-throughput': 'CORE',
  'okome-slo-burn': 'CORE',
};
const LOAD_SECONDS = 60;
const WARMUP_MS = 25_000;

const files = loadDashboards();
let load: RunningLoad | undefined;

beforeAll(async () => {
  if (!existsSync(STACK.derivedInventory))
    throw new Error(`the shared stack is not up: no ${STACK.derivedInventory}`);
  const inv = loadInventory(STACK.derivedInventory);
  load = startLoad(STACK.derivedInventory, loadTargets(inv), {
    rps: 2,
    durationSeconds: LOAD_SECONDS,
    maxTokens: 12,
  });
  // Enough scrapes (1 s in the stack) and rule evaluations for rate()/[1m] to have two points.
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  // A load that could not run would leave panels empty for the wrong reason: say so.
  expect(load.failures()).toEqual([]);
}, WARMUP_MS + 30_000);

afterAll(async () => {
  load?.stop();
  await load?.done;
}, 30_000);

function substitution(node: string): Substitution {
  return {
    cluster: CLUSTER,
    node,
    rateInterval: '1m',
    interval: '15s',
    range: '5m',
    extra: { slo: '.*' },
  };
}

const cases: [string, string, Dashboard][] = files.flatMap(({ file, dashboard }) => [
  [file, '.*', dashboard] as [string, string, Dashboard],
  [file, SAMPLE_NODE[dashboard.uid ?? ''] ?? '.*', dashboard] as [string, string, Dashboard],
]);

describe.each(cases)('%s with node=%s', (_file, node, d) => {
  const panels = panelsOf(d).map((p) => [p.title ?? '', p] as const);

  test.each(panels)('panel "%s" returns data without query errors', async (_title, panel) => {
    const problems: string[] = [];
    for (const t of targetsOf(panel)) {
      const expr = substitute(t.expr, substitution(node));
      const answer = await promQuery(PROM, expr, {
        instant: Boolean(t.instant),
        rangeSeconds: 300,
        stepSeconds: 5,
      });
      if (answer.status === 'error')
        problems.push(`${t.refId}: query error ${answer.error}: ${expr}`);
      else if (!hasNumbers(answer.series)) problems.push(`${t.refId}: no data: ${expr}`);
    }
    expect(problems).toEqual([]);
  });

  test('annotation queries are valid PromQL', async () => {
    for (const a of d.annotations?.list ?? []) {
      const expr = (a.target as { expr?: string } | undefined)?.expr;
      if (!expr) continue;
      const answer = await promQuery(PROM, substitute(expr, substitution(node)), {
        instant: false,
      });
      expect({ annotation: a.name, status: answer.status, error: answer.error }).toEqual({
        annotation: a.name,
        status: 'success',
        error: undefined,
      });
    }
  });
});

test('the cluster and node variables find the OKOME cluster and its nodes', async () => {
  const values = async (label: string, match: string) => {
    const url = `${PROM}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': match })}`;
    return ((await (await fetch(url)).json()) as { data: string[] }).data;
  };
  expect(await values('cluster', 'up{job="okome-exporter"}')).toContain(CLUSTER);
  const nodes = await values('node', `up{job="okome-exporter", cluster="${CLUSTER}"}`);
  expect(nodes).toEqual(expect.arrayContaining(Object.values(SAMPLE_NODE)));
});
