import { parse } from 'yaml';
import { loadInventory } from '../inventory/load';
import { resolveInventoryPath, SEED_CLUSTERS } from '../inventory/query';
import {
  CONTROLLER_TOKEN_ENV,
  GRAFANA_PROVISIONING_DIR,
  datasourceUid,
  grafanaDatasources,
  renderGrafanaProvisioning,
} from './grafana';

const inv = (name: string) => loadInventory(resolveInventoryPath(name));

function file(files: { path: string; content: string }[], path: string) {
  const f = files.find((x) => x.path === `${GRAFANA_PROVISIONING_DIR}/${path}`);
  if (!f) throw new Error(`no ${path} in ${files.map((x) => x.path).join(', ')}`);
  return { text: f.content, doc: parse(f.content) as Record<string, unknown> };
}

describe('Grafana provisioning for OKOME', () => {
  const files = renderGrafanaProvisioning(inv('okome'));

  it('has a datasource per Prometheus of the pair, per Alertmanager and per Loki, at the real addresses', () => {
    const { doc } = file(files, 'datasources/okome.yaml');
    const ds = doc.datasources as {
      name: string;
      type: string;
      url: string;
      uid: string;
      isDefault: boolean;
    }[];
    expect(ds.map((d) => [d.name, d.type, d.url])).toEqual([
      ['Prometheus NODE-09', 'prometheus', 'http://192.168.86.49:9090'],
      ['Prometheus NODE-10', 'prometheus', 'http://192.168.86.50:9090'],
      ['Alertmanager NODE-09', 'alertmanager', 'http://192.168.86.49:9093'],
      ['Alertmanager NODE-10', 'alertmanager', 'http://192.168.86.50:9093'],
      ['Loki NODE-09', 'loki', 'http://192.168.86.49:3100'],
      ['Loki NODE-10', 'loki', 'http://192.168.86.50:3100'],
    ]);
    expect(ds.filter((d) => d.isDefault).map((d) => d.uid)).toEqual(['okome-prometheus-node-09']);
    expect(doc.apiVersion).toBe(1);
  });

  it('enables the app plugin with the controller URL, the Prometheus uid and the token from the environment', () => {
    const { doc, text } = file(files, 'plugins/okome-slo-app.yaml');
    expect(doc.apps).toEqual([
      {
        type: 'okome-slo-app',
        org_id: 1,
        disabled: false,
        jsonData: {
          controllerUrl: 'http://192.168.86.49:9700',
          prometheusUid: 'okome-prometheus-node-09',
        },
        secureJsonData: { controllerToken: `$${CONTROLLER_TOKEN_ENV}` },
      },
    ]);
    expect(text).not.toMatch(/token:\s*[A-Za-z0-9]{16,}/);
  });

  it('provisions the dashboards folder by file', () => {
    const { doc } = file(files, 'dashboards/okome.yaml');
    expect(doc.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        folder: 'OKOME',
        options: { path: '/var/lib/grafana/dashboards/okome', foldersFromFilesStructure: false },
      }),
    ]);
    const custom = renderGrafanaProvisioning(inv('okome'), { dashboardsPath: '/d' });
    expect(
      (file(custom, 'dashboards/okome.yaml').doc.providers as { options: { path: string } }[])[0]
        ?.options.path,
    ).toBe('/d');
  });

  it('routes Grafana alerts like alertmanager.yml: actions to the controller with the bearer token, pages, tickets', () => {
    const { doc } = file(files, 'alerting/okome.yaml');
    const cps = doc.contactPoints as {
      name: string;
      receivers: { settings: Record<string, string> }[];
    }[];
    const controller = cps.find((c) => c.name === 'okome-controller')!;
    expect(controller.receivers[0]?.settings).toMatchObject({
      url: 'http://192.168.86.49:9700/api/v1/alerts',
      authorization_scheme: 'Bearer',
      authorization_credentials: `$${CONTROLLER_TOKEN_ENV}`,
    });
    const policy = (
      doc.policies as {
        routes: { receiver: string; object_matchers: string[][]; continue?: boolean }[];
      }[]
    )[0]!;
    expect(policy.routes.map((r) => r.receiver)).toEqual([
      'okome-controller',
      'oncall-page',
      'ticket',
    ]);
    expect(policy.routes[0]).toMatchObject({
      continue: true,
      object_matchers: [
        ['okome_action', '=~', '.+'],
        ['cluster', '=', 'okome'],
      ],
    });
  });

  it('loopback and container renders change the addresses, not the shape', () => {
    const loop = grafanaDatasources(inv('okome'), { loopback: true });
    expect(loop[0]?.url).toBe('http://127.0.86.49:9090');
    const compose = grafanaDatasources(inv('okome'), {
      serviceUrl: (kind, node, port) => `http://${kind}-${node.id.toLowerCase()}:${port}`,
    });
    expect(compose.map((d) => d.url)).toContain('http://alertmanager-node-10:9093');
  });
});

describe.each(SEED_CLUSTERS)('Grafana provisioning for %s', (name) => {
  const i = inv(name);
  const files = renderGrafanaProvisioning(i);

  it('renders four YAML files that parse, each with the generated header', () => {
    expect(files.map((f) => f.path.replace(`${GRAFANA_PROVISIONING_DIR}/`, ''))).toEqual([
      'datasources/okome.yaml',
      'plugins/okome-slo-app.yaml',
      'dashboards/okome.yaml',
      'alerting/okome.yaml',
    ]);
    for (const f of files) {
      expect(f.content.startsWith('# ')).toBe(true);
      expect(() => parse(f.content)).not.toThrow();
    }
  });

  it('has one Prometheus datasource per observability node with a Prometheus, uids unique', () => {
    const proms = i.nodes.filter(
      (n) => n.roles.includes('observability') && n.services.some((s) => s.kind === 'prometheus'),
    );
    const ds = grafanaDatasources(i);
    expect(ds.filter((d) => d.type === 'prometheus').map((d) => d.uid)).toEqual(
      proms.map((n) => datasourceUid('prometheus', n.id)),
    );
    expect(new Set(ds.map((d) => d.uid)).size).toBe(ds.length);
  });
});
