import { join } from 'node:path';
import { parse } from 'yaml';
import { loadInventory } from '../inventory/load';
import { INVENTORY_DIR } from '../inventory/query';
import { renderAlertmanagerConfig, renderAlertmanagerTemplate } from './alertmanager';

const okome = loadInventory(join(INVENTORY_DIR, 'okome.yaml'));
const opts = {
  controllerUrl: 'http://127.0.86.49:9700/',
  tokenFile: '/etc/okome/controller.token',
};

interface Route {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  continue?: boolean;
  routes?: Route[];
}
interface AmConfig {
  route: Route;
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  receivers: { name: string; webhook_configs: Record<string, unknown>[] }[];
  templates?: string[];
}

const render = (extra = {}) =>
  parse(renderAlertmanagerConfig(okome, { ...opts, ...extra })) as AmConfig;

describe('renderAlertmanagerConfig', () => {
  it('sends okome_action alerts to the controller first, fast, grouped per backend, and continues', () => {
    const [first] = render().route.routes ?? [];
    expect(first).toEqual({
      receiver: 'okome-controller',
      matchers: ['okome_action=~"drain|disable"'],
      group_by: ['alertname', 'okome_pool', 'okome_backend'],
      group_wait: '5s',
      group_interval: '30s',
      repeat_interval: '5m',
      continue: true,
    });
  });

  it('lets the simulator shorten how soon a resolved routing alert reaches the controller', () => {
    const [first] = render({ actionGroupInterval: '5s' }).route.routes ?? [];
    expect(first).toMatchObject({ receiver: 'okome-controller', group_interval: '5s' });
  });

  it('routes by severity to the on-call and ticket receivers', () => {
    const routes = render().route.routes ?? [];
    expect(routes.slice(1).map((r) => [r.matchers, r.receiver])).toEqual([
      [['severity="page"'], 'oncall-page'],
      [['severity="ticket"'], 'ticket'],
    ]);
  });

  it('calls the controller webhook with the bearer token read from a file', () => {
    const controller = render().receivers.find((r) => r.name === 'okome-controller');
    expect(controller?.webhook_configs).toEqual([
      {
        url: 'http://127.0.86.49:9700/api/v1/alerts',
        send_resolved: true,
        http_config: {
          authorization: { type: 'Bearer', credentials_file: '/etc/okome/controller.token' },
        },
      },
    ]);
  });

  it('inhibits latency alerts of a backend that is down, and tickets of an SLO that pages', () => {
    expect(render().inhibit_rules).toEqual([
      {
        source_matchers: ['alertname="OkomeBackendDown"'],
        target_matchers: ['alertname="OkomeBackendFirstTokenBudget"'],
        equal: ['cluster', 'okome_backend'],
      },
      {
        source_matchers: ['severity="page"'],
        target_matchers: ['severity="ticket"'],
        equal: ['cluster', 'slo'],
      },
    ]);
  });

  it('marks placeholder receivers, and drops the note when real ones are given', () => {
    const text = renderAlertmanagerConfig(okome, opts);
    expect(text).toMatch(/# PLACEHOLDERS: .*127\.0\.0\.1:9/);
    expect(
      render().receivers.find((r) => r.name === 'oncall-page')?.webhook_configs[0]?.url,
    ).toMatch(/^http:\/\/127\.0\.0\.1:9\//);
    const real = {
      pageWebhookUrl: 'https://pager.example/hook',
      ticketWebhookUrl: 'https://tickets.example/hook',
    };
    expect(renderAlertmanagerConfig(okome, { ...opts, ...real })).not.toMatch(/PLACEHOLDERS/);
    expect(
      render(real).receivers.find((r) => r.name === 'oncall-page')?.webhook_configs[0]?.url,
    ).toBe('https://pager.example/hook');
  });

  it('loads template files only when given', () => {
    expect(render().templates).toBeUndefined();
    expect(render({ templateFiles: ['okome.tmpl'] }).templates).toEqual(['okome.tmpl']);
  });
});

describe('renderAlertmanagerTemplate', () => {
  it('links the runbook from the label, the annotation, or the inventory base URL', () => {
    const text = renderAlertmanagerTemplate(okome);
    expect(text).toContain('{{ define "okome.runbook" -}}');
    expect(text).toContain('.CommonLabels.runbook_url');
    expect(text).toContain('.CommonAnnotations.runbook_url');
    expect(text).toContain('https://runbooks.okome.local/{{ .CommonLabels.alertname }}');
  });
});
