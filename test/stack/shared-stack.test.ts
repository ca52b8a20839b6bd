// The shared e2e stack (`okome-stack up --inventory okome --sim`): the Prometheus pair scrapes
// every exporter and loads the generated rules, and the Alertmanagers form one cluster.
import { JOBS } from '@okome/provisioning';
import { eventually } from '../setup/eventually';
import { getJson, promQuery } from '../setup/http';
import { STACK } from '../setup/stack';

interface RuleGroups {
  data: { groups: { name: string; file: string; rules: { name: string; type: string }[] }[] };
}

describe('shared local stack', () => {
  it.each(STACK.prometheus)('%s loads the SLO and routing rules', async (prom) => {
    const { data } = await getJson<RuleGroups>(`${prom}/api/v1/rules`);
    const rules = data.groups.flatMap((g) => g.rules);
    expect(rules.filter((r) => r.type === 'alerting').map((r) => r.name)).toEqual(
      expect.arrayContaining(['ErrorBudgetBurn', 'OkomeBackendDown']),
    );
    expect(rules.filter((r) => r.type === 'recording').length).toBeGreaterThan(10);
  });

  it.each(STACK.prometheus)('%s scrapes an exporter on every workload node', async (prom) => {
    await eventually(
      async () => {
        const up = await promQuery(prom, `up{job="${JOBS.exporter.job}"} == 1`);
        const nodes = up.map((s) => s.metric.node).sort();
        // OKOME: 12 nodes, of which NODE-09/10 only observe.
        expect(nodes).toEqual(
          [
            'CORE',
            'NODE-01',
            'NODE-02',
            'NODE-03',
            'NODE-04',
            'NODE-05',
            'NODE-06',
            'NODE-07',
            'NODE-08',
            'OKOME',
          ].sort(),
        );
        for (const s of up)
          expect(s.metric).toMatchObject({ cluster: 'okome', role: expect.any(String) });
      },
      { timeoutMs: 30_000 },
    );
  });

  it('gives the two Prometheus servers their own replica label', async () => {
    const replicas = await Promise.all(
      STACK.prometheus.map(async (prom) => {
        const cfg = await getJson<{ data: { yaml: string } }>(`${prom}/api/v1/status/config`);
        return /replica: (\S+)/.exec(cfg.data.yaml)?.[1];
      }),
    );
    expect(replicas).toEqual(['NODE-09', 'NODE-10']);
  });

  it.each(STACK.alertmanager)('%s sees both Alertmanagers as peers', async (am) => {
    await eventually(async () => {
      const status = await getJson<{ cluster: { status: string; peers: { address: string }[] } }>(
        `${am}/api/v2/status`,
      );
      expect(status.cluster.status).toBe('ready');
      expect(status.cluster.peers.map((p) => p.address).sort()).toEqual([
        '127.0.86.49:9094',
        '127.0.86.50:9094',
      ]);
    });
  });
});
