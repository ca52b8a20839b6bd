// The generator: SLO sets (+ inventory) → rule files and promtool tests, as data. No disk,
// clock or environment here; write.ts puts the result on disk.
import type { Inventory } from '@okome/provisioning';
import { ROUTING_RULES_FILE, RULES_FILE, TEST_FILE, groupName } from './conventions';
import type { Slo, SloSet } from './model';
import { SpecError } from './problems';
import { burnAlerts } from './rules/alerts';
import { clusterGroup } from './rules/cluster';
import { metadataRules } from './rules/metadata';
import { missingDataAlerts } from './rules/missing-data';
import { promtoolTests } from './rules/promtool-tests';
import type { PromtoolTestFile } from './rules/promtool-tests';
import { routingGroup } from './rules/routing';
import { sliRules } from './rules/sli';
import type { AlertingRule, RuleFile, RuleGroup } from './rules/types';
import { isAlert } from './rules/types';
import { hopBudgetSlos } from './spec/inventory';
import { planWindows } from './windows';

export interface GenerateOptions {
  sets: SloSet[];
  inventory?: Inventory;
  /** 1 = production; N divides every window and `for` by N. */
  timeScale?: number;
}

export type GeneratedFile =
  | { name: string; kind: 'rules'; cluster: string; content: RuleFile }
  | { name: string; kind: 'tests'; cluster: string; content: PromtoolTestFile };

export const MAX_TIME_SCALE = 3600;

export function planFor(slo: Slo, timeScale: number) {
  return planWindows(slo.period, timeScale);
}

/** One rule group per SLO: SLI and metadata recordings first, then its alerts. */
export function sloGroup(slo: Slo, timeScale: number): RuleGroup {
  const plan = planFor(slo, timeScale);
  return {
    name: groupName(slo.cluster, slo.name, timeScale),
    rules: [
      ...sliRules(slo, plan, timeScale),
      ...metadataRules(slo, plan, timeScale),
      ...burnAlerts(slo, plan, timeScale),
      ...missingDataAlerts(slo, plan, timeScale),
    ],
  };
}

export function generate(opts: GenerateOptions): GeneratedFile[] {
  const timeScale = opts.timeScale ?? 1;
  if (!Number.isInteger(timeScale) || timeScale < 1 || timeScale > MAX_TIME_SCALE)
    throw new RangeError(
      `--time-scale must be a whole number from 1 to ${MAX_TIME_SCALE}, got ${timeScale}`,
    );

  const byCluster = new Map<string, { slos: Slo[]; files: Map<string, string> }>();
  const entry = (cluster: string) => {
    let e = byCluster.get(cluster);
    if (!e) byCluster.set(cluster, (e = { slos: [], files: new Map() }));
    return e;
  };
  const problems: SpecError['problems'] = [];
  for (const set of opts.sets) {
    const e = entry(set.cluster);
    for (const slo of set.slos) {
      const other = e.files.get(slo.name);
      if (other)
        problems.push({
          file: set.file,
          line: 1,
          path: '',
          message: `SLO "${slo.name}" of cluster ${set.cluster} is also defined in ${other}`,
        });
      e.files.set(slo.name, set.file);
      e.slos.push(slo);
    }
  }
  if (problems.length) throw new SpecError(problems);
  const inv = opts.inventory;
  if (inv) {
    const e = entry(inv.cluster);
    // A hand-written SLO of the same name wins over the derived one.
    for (const slo of hopBudgetSlos(inv, timeScale)) if (!e.files.has(slo.name)) e.slos.push(slo);
  }

  const out: GeneratedFile[] = [];
  for (const [cluster, { slos }] of byCluster) {
    const rulesFile = RULES_FILE(cluster);
    out.push({
      name: rulesFile,
      kind: 'rules',
      cluster,
      content: {
        groups: [clusterGroup(cluster, timeScale), ...slos.map((s) => sloGroup(s, timeScale))],
      },
    });
    const ruleFiles = [rulesFile];
    let routing:
      { meta: ReturnType<typeof routingGroup>['meta']; rules: AlertingRule[] } | undefined;
    if (inv && inv.cluster === cluster) {
      const r = routingGroup(inv, timeScale);
      out.push({
        name: ROUTING_RULES_FILE(cluster),
        kind: 'rules',
        cluster,
        content: { groups: [r.group] },
      });
      ruleFiles.push(ROUTING_RULES_FILE(cluster));
      routing = { meta: r.meta, rules: r.group.rules.filter(isAlert) };
    }
    out.push({
      name: TEST_FILE(cluster),
      kind: 'tests',
      cluster,
      content: promtoolTests({ slos, planner: planFor, timeScale, ruleFiles, routing }),
    });
  }
  return out;
}
