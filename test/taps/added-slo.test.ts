// Issue 7: the inventory's `added` hop budgets (OKOME ingress < 5 ms, cache < 2 ms) must be
// measurable on the running stack. They are time-slice SLOs on the exporters' hop-budget query
// (first-token mean entering the hop minus entering the next hop); with plain ingress load the
// real Prometheus must have their SLI, slice verdicts and error ratios, and no SLOMetricAbsent
// for them once the taps have seen traffic.
import { hopBudgetSlos } from '@okome/alerting';
import { loadInventory } from '@okome/provisioning';
import { ingressTarget, parseMix, runLoad } from '@okome/simulator';
import { eventually } from '../setup/eventually';
import { promQuery } from '../setup/http';
import { STACK } from '../setup/stack';

jest.setTimeout(180_000);

// The stack generates its rules with --time-scale 60 (okome-stack up --sim).
const TIME_SCALE = 60;
const inv = loadInventory(STACK.derivedInventory);
const added = hopBudgetSlos(inv, TIME_SCALE).filter((s) => s.name.includes('-added-'));

describe('added-latency hop SLOs on the simulated OKOME stack', () => {
  it('the inventory has an added budget for ingress and cache', () => {
    expect(added.map((s) => s.hop).sort()).toEqual(['cache', 'ingress']);
  });

  it('Prometheus evaluates each added SLI under load, with no SLOMetricAbsent for it', async () => {
    const target = ingressTarget(inv);
    const load = runLoad({
      target,
      model: target.model!,
      rps: 6,
      durationMs: 25_000,
      concurrency: 8,
      mix: parseMix('chat:1'),
      maxTokens: 8,
      drainMs: 30_000,
    });
    try {
      for (const slo of added) {
        const sli = slo.sli;
        if (sli.kind !== 'threshold') throw new Error(`${slo.name}: not a time-slice SLI`);
        // Every node of the hop that saw traffic has an added latency; a value, not NaN.
        const values = await eventually(
          async () => {
            const r = await promQuery(STACK.prometheus[0], sli.query);
            const v = r.map((s) => Number(s.value[1]));
            if (!v.length || v.some((x) => !Number.isFinite(x)))
              throw new Error(`${slo.name}: SLI query gave ${JSON.stringify(r)}`);
            return v;
          },
          { timeoutMs: 20_000, intervalMs: 1000 },
        );
        expect(values.length).toBeGreaterThan(0);
        for (const prom of STACK.prometheus)
          await eventually(
            async () => {
              for (const q of [
                `slo:sli_timeslice:good{slo="${slo.name}"}`,
                `slo:sli_error:ratio_rate5m{slo="${slo.name}"}`,
              ]) {
                const r = await promQuery(prom, q);
                if (r.length !== 1) throw new Error(`${prom}: ${q} gave ${r.length} series`);
                // A verdict (0 or 1) and a ratio of slices: always within [0, 1], never NaN.
                const v = Number(r[0]!.value[1]);
                if (!(v >= 0 && v <= 1)) throw new Error(`${prom}: ${q} = ${v}`);
              }
            },
            { timeoutMs: 20_000, intervalMs: 1000 },
          );
      }
      // The absent alert's `for` is 9 s at this scale: once the counters exist it must resolve
      // (pending or firing both count as present here).
      const names = added.map((s) => s.name).join('|');
      await eventually(
        async () => {
          for (const prom of STACK.prometheus) {
            const r = await promQuery(prom, `ALERTS{alertname="SLOMetricAbsent",slo=~"${names}"}`);
            if (r.length) throw new Error(`${prom}: ${JSON.stringify(r.map((s) => s.metric))}`);
          }
        },
        { timeoutMs: 20_000, intervalMs: 1000 },
      );
    } finally {
      const report = await load;
      expect(report.requests.ok).toBeGreaterThan(0);
    }
  });
});
