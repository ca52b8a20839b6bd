import { join } from 'node:path';
import { parse } from 'yaml';
import { loadInventory } from '../inventory/load';
import { INVENTORY_DIR } from '../inventory/query';
import { RenderError } from './errors';
import { renderPrometheusConfig } from './prometheus';

const okome = loadInventory(join(INVENTORY_DIR, 'okome.yaml'));
const base = { targetsDir: 'targets', alertmanagers: ['127.0.86.49:9093', '127.0.86.50:9093'] };

interface PromConfig {
  global: Record<string, unknown> & { external_labels: Record<string, string> };
  alerting: {
    alert_relabel_configs: unknown[];
    alertmanagers: { static_configs: { targets: string[] }[] }[];
  };
  rule_files?: string[];
  scrape_configs: { job_name: string; file_sd_configs: { files: string[] }[] }[];
  remote_write?: { url: string; name: string }[];
}

const render = (opts: Partial<Parameters<typeof renderPrometheusConfig>[1]> = {}) =>
  parse(renderPrometheusConfig(okome, { node: 'NODE-09', ...base, ...opts })) as PromConfig;

describe('renderPrometheusConfig', () => {
  it('labels each member of the pair with its own replica and drops it from alerts', () => {
    const a = render();
    const b = render({ node: 'NODE-10' });
    expect(a.global.external_labels).toEqual({ cluster: 'okome', replica: 'NODE-09' });
    expect(b.global.external_labels).toEqual({ cluster: 'okome', replica: 'NODE-10' });
    expect(a.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
    // Same scrape jobs on both: the pair sees the same targets.
    expect(a.scrape_configs).toEqual(b.scrape_configs);
  });

  it('sends alerts to every Alertmanager', () => {
    expect(render().alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(
      base.alertmanagers,
    );
  });

  it('scrapes through file_sd target files in targetsDir', () => {
    expect(render().scrape_configs).toEqual([
      { job_name: 'okome-exporter', file_sd_configs: [{ files: ['targets/exporters.json'] }] },
      { job_name: 'prometheus', file_sd_configs: [{ files: ['targets/prometheus.json'] }] },
      { job_name: 'alertmanager', file_sd_configs: [{ files: ['targets/alertmanager.json'] }] },
      { job_name: 'okome-controller', file_sd_configs: [{ files: ['targets/controller.json'] }] },
      ...(['openai', 'ollama', 'redis'] as const).map((module) => ({
        job_name: `okome-probe-${module}`,
        file_sd_configs: [{ files: [`targets/probe-${module}.json`] }],
        scrape_interval: '1m',
        scrape_timeout: '10s',
        metrics_path: '/probe',
        params: { module: [module], ...(module === 'redis' ? {} : { max_tokens: ['2'] }) },
        relabel_configs: [
          { source_labels: ['__address__'], target_label: '__param_target' },
          { source_labels: ['__param_target'], target_label: 'instance' },
          { source_labels: ['__tmp_okome_prober'], target_label: '__address__' },
        ],
      })),
    ]);
  });

  it('probes more often when asked, with the deadline inside the interval', () => {
    const probes = render({ scrapeInterval: '1s', probeInterval: '5s' })
      .scrape_configs.filter((c) => c.job_name.startsWith('okome-probe-'))
      .map((c) => c as Record<string, unknown>);
    expect(probes.map((c) => [c.scrape_interval, c.scrape_timeout])).toEqual([
      ['5s', '5s'],
      ['5s', '5s'],
      ['5s', '5s'],
    ]);
  });

  it('takes intervals from the inventory unless overridden, keeping the timeout within them', () => {
    expect(render().global).toMatchObject({ scrape_interval: '15s', evaluation_interval: '15s' });
    expect(render().global.scrape_timeout).toBeUndefined();
    const fast = render({ scrapeInterval: '2s', evaluationInterval: '1s' });
    expect(fast.global).toMatchObject({
      scrape_interval: '2s',
      scrape_timeout: '2s',
      evaluation_interval: '1s',
    });
  });

  it('loads rule files only when a rules folder is given', () => {
    expect(render().rule_files).toBeUndefined();
    // okome-slo writes its promtool tests beside the rules: only `*.rules.yml` are rules.
    expect(render({ rulesDir: '/srv/rules' }).rule_files).toEqual(['/srv/rules/*.rules.yml']);
  });

  it('adds remote_write when the inventory names a long-term store', () => {
    expect(render().remote_write).toBeUndefined();
    const withStore = {
      ...okome,
      observability: {
        ...okome.observability,
        remoteWrite: {
          url: 'http://vm.okome.local:8428/api/v1/write',
          kind: 'victoriametrics' as const,
        },
      },
    };
    const cfg = parse(
      renderPrometheusConfig(withStore, { node: 'NODE-09', ...base }),
    ) as PromConfig;
    expect(cfg.remote_write).toEqual([
      { name: 'okome-victoriametrics', url: 'http://vm.okome.local:8428/api/v1/write' },
    ]);
    // The simulator's render never sends data off the machine.
    const loop = renderPrometheusConfig(withStore, { node: 'NODE-09', ...base, loopback: true });
    expect((parse(loop) as PromConfig).remote_write).toBeUndefined();
    expect(loop).toContain(
      '# remote_write to http://vm.okome.local:8428/api/v1/write left out: loopback render.',
    );
    const local = {
      ...withStore,
      observability: {
        ...withStore.observability,
        remoteWrite: {
          url: 'http://127.0.0.1:8428/api/v1/write',
          kind: 'victoriametrics' as const,
        },
      },
    };
    const kept = parse(
      renderPrometheusConfig(local, { node: 'NODE-09', ...base, loopback: true }),
    ) as PromConfig;
    expect(kept.remote_write?.[0]?.url).toBe('http://127.0.0.1:8428/api/v1/write');
  });

  it('starts with a generated-file header', () => {
    expect(renderPrometheusConfig(okome, { node: 'NODE-09', ...base })).toMatch(
      /^# Prometheus on NODE-09 .*\n# Generated by okome-provision/,
    );
  });

  it('refuses a node that is not an observability node', () => {
    expect(() => renderPrometheusConfig(okome, { node: 'CORE', ...base })).toThrow(RenderError);
    expect(() => renderPrometheusConfig(okome, { node: 'NODE-99', ...base })).toThrow(
      /unknown node "NODE-99"/,
    );
  });
});
