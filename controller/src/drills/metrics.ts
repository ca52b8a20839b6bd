// The drills' part of the controller's /metrics: `okome_drill_phase` (1 for the phase the latest
// drill is in, 0 for the others; Grafana draws it as annotations in the preview), whether a drill
// runs, finished drills by status and the score per scenario. Only the latest drill carries its
// id as a label, so the series count stays bounded.
import { scenarioScore } from './report';
import { DRILL_PHASES } from './types';
import type { DrillRecord } from './types';

const esc = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class DrillMetrics {
  private latest?: Pick<DrillRecord, 'id' | 'scenario' | 'phase' | 'status'>;
  private totals = new Map<string, number>();
  private scores = new Map<string, number>();

  phase(rec: DrillRecord): void {
    this.latest = { id: rec.id, scenario: rec.scenario, phase: rec.phase, status: rec.status };
  }

  refresh(all: DrillRecord[]): void {
    this.totals.clear();
    this.scores.clear();
    const byScenario = new Map<string, DrillRecord[]>();
    for (const r of all) {
      if (r.status === 'running') continue;
      const key = `${r.scenario}\u0000${r.status}`;
      this.totals.set(key, (this.totals.get(key) ?? 0) + 1);
      byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
    }
    for (const [s, recs] of byScenario) {
      const score = scenarioScore(recs);
      if (score !== null) this.scores.set(s, score);
    }
    const last = all[all.length - 1];
    if (!this.latest && last) this.phase(last);
  }

  render(): string {
    const lines = [
      '# HELP okome_drill_phase Phase of the latest drill: 1 for the phase it is in, 0 for the others.',
      '# TYPE okome_drill_phase gauge',
    ];
    const l = this.latest;
    if (l)
      for (const ph of DRILL_PHASES)
        lines.push(
          `okome_drill_phase{drill="${esc(l.id)}",scenario="${esc(l.scenario)}",phase="${ph}"} ${l.phase === ph ? 1 : 0}`,
        );
    lines.push(
      '# HELP okome_drill_active 1 while a drill runs.',
      '# TYPE okome_drill_active gauge',
    );
    lines.push(`okome_drill_active ${l && l.status === 'running' ? 1 : 0}`);
    lines.push(
      '# HELP okome_drills_total Finished drills by scenario and status.',
      '# TYPE okome_drills_total counter',
    );
    for (const [key, n] of this.totals) {
      const [scenario, status] = key.split('\u0000') as [string, string];
      lines.push(`okome_drills_total{scenario="${esc(scenario)}",status="${esc(status)}"} ${n}`);
    }
    lines.push(
      '# HELP okome_drill_score Score (0-100) per scenario over its recent drills.',
      '# TYPE okome_drill_score gauge',
    );
    for (const [s, v] of this.scores) lines.push(`okome_drill_score{scenario="${esc(s)}"} ${v}`);
    return lines.join('\n') + '\n';
  }
}
