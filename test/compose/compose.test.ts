// docker-compose.yml cannot run here (no Docker engine), so this checks what can be checked:
// the file parses; every service of the issue is there with a pinned official image or the
// local build, a health check, and named volumes; every config path, listen address, peer and
// datasource URL agrees with what `okome-provision render` writes (the render service's own
// command, run for real into a temp folder); the plugin mount is the plugin build's output.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  TAP_NODE_FLAGS,
  loadInventory,
  resolveInventoryPath,
  toLoopback,
} from '@okome/provisioning';
import { ROOT } from '../setup/stack';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  network_mode?: string;
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { environment?: string; file?: string }>;
}

const COMPOSE_TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(COMPOSE_TEXT, { merge: true }) as Compose;
const services = compose.services;
const inv = loadInventory(resolveInventoryPath('okome'));
const loop = toLoopback(inv);
const RENDERED = '/okome/rendered';

const args = (s: Service) => (Array.isArray(s.command) ? s.command : []);
const flag = (s: Service, name: string) =>
  args(s)
    .filter((a) => a.startsWith(`--${name}=`))
    .map((a) => a.slice(name.length + 3));

let out: string;
const rendered = (rel: string) => readFileSync(join(out, rel), 'utf8');

beforeAll(() => {
  // The render service's command, for real, with its output folder moved to a temp dir.
  out = mkdtempSync(join(tmpdir(), 'okome-compose-render-'));
  const command = (services.render?.command as string[])[0] as string;
  const steps = command.split('&&').map((c) => c.trim().split(/\s+/));
  expect(steps.map((s) => s.slice(0, 2))).toEqual([
    ['node', 'provisioning/dist/cli/provision.js'],
    ['node', 'alerting/dist/cli.js'],
  ]);
  for (const step of steps)
    execFileSync(
      process.execPath,
      step.slice(1).map((a) => a.replace(RENDERED, out)),
      { cwd: ROOT, stdio: 'pipe' },
    );
}, 60_000);

test('the rendered Prometheus configs (with their SLO rules) pass promtool, the Alertmanager config amtool', () => {
  for (const node of ['NODE-09', 'NODE-10'])
    execFileSync('promtool', ['check', 'config', join(out, 'prometheus', `${node}.yml`)], {
      stdio: 'pipe',
    });
  execFileSync('amtool', ['check-config', join(out, 'alertmanager', 'alertmanager.yml')], {
    stdio: 'pipe',
  });
  expect(existsSync(join(out, 'rules', 'okome.rules.yml'))).toBe(true);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('has every service of the issue: one exporter per simulated node', () => {
  const exporters = inv.nodes
    .filter((n) => !n.roles.includes('observability'))
    .map((n) => `exporter-${n.id.toLowerCase()}`);
  expect(Object.keys(services).sort()).toEqual(
    [
      'render',
      'simulator',
      'grafana',
      'loki',
      'controller',
      'prometheus-node-09',
      'prometheus-node-10',
      'alertmanager-node-09',
      'alertmanager-node-10',
      ...exporters,
    ].sort(),
  );
});

test('images: official ones pinned to a version, the rest the local build', () => {
  const official =
    /^(grafana\/grafana|grafana\/loki|prom\/prometheus|prom\/alertmanager):\$\{[A-Z_]+:-v?\d+\.\d+\.\d+\}$/;
  for (const [name, s] of Object.entries(services)) {
    const image = s.image ?? '';
    const ok = official.test(image) || (image === 'okome-observability:local' && Boolean(s.build));
    expect({ name, image, ok }).toEqual({ name, image, ok: true });
  }
  expect(services.grafana?.image).toMatch(/^grafana\/grafana:/);
});

test('every long-running service has a health check; volumes are named and declared', () => {
  for (const [name, s] of Object.entries(services)) {
    if (name !== 'render')
      expect({ name, health: Array.isArray(s.healthcheck?.test) }).toEqual({ name, health: true });
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0] as string;
      if (source.startsWith('.'))
        expect(existsSync(resolve(ROOT, source)) || source === './grafana-plugin/dist').toBe(true);
      else
        expect({ name, volume: source, declared: source in compose.volumes }).toEqual({
          name,
          volume: source,
          declared: true,
        });
    }
  }
});

test('no secret in the file: tokens and passwords come from .env, and .env.example names every variable', () => {
  const env = services.grafana?.environment ?? {};
  expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GF_SECURITY_ADMIN_PASSWORD:\?/);
  expect(env.OKOME_CONTROLLER_TOKEN).toMatch(/^\$\{OKOME_CONTROLLER_TOKEN:\?/);
  expect(compose.secrets.controller_token).toEqual({ environment: 'OKOME_CONTROLLER_TOKEN' });
  expect(COMPOSE_TEXT).not.toMatch(/(password|token|secret)\s*[:=]\s*['"]?[A-Za-z0-9+/]{12,}/i);
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  for (const m of COMPOSE_TEXT.matchAll(/\$\{([A-Z_]+)/g))
    expect(example).toMatch(new RegExp(`^${m[1]}=`, 'm'));
});

test('all services share the simulator network namespace; only Grafana is published', () => {
  for (const [name, s] of Object.entries(services))
    if (name !== 'simulator' && name !== 'render')
      expect({ name, net: s.network_mode }).toEqual({ name, net: 'service:simulator' });
  expect(services.simulator?.ports).toEqual(['${GRAFANA_PORT:-3000}:3000']);
});

test('every config file a service reads is one the render writes', () => {
  for (const [name, s] of Object.entries(services))
    for (const file of flag(s, 'config.file').filter((f) => f.startsWith(RENDERED))) {
      const rel = file.slice(RENDERED.length + 1);
      expect({ name, rel, rendered: existsSync(join(out, rel)) }).toEqual({
        name,
        rel,
        rendered: true,
      });
    }
  const provisioning = services.grafana?.environment?.GF_PATHS_PROVISIONING as string;
  expect(provisioning.startsWith(RENDERED)).toBe(true);
  for (const kind of ['datasources', 'plugins', 'dashboards'])
    expect(existsSync(join(out, provisioning.slice(RENDERED.length + 1), kind))).toBe(true);
});

test("Prometheus and Alertmanager listen where the rendered targets and each other's peers say", () => {
  const promTargets = JSON.parse(rendered('prometheus/targets/prometheus.json')) as {
    targets: string[];
    labels: { node: string };
  }[];
  const amTargets = JSON.parse(rendered('prometheus/targets/alertmanager.json')) as {
    targets: string[];
    labels: { node: string };
  }[];
  for (const t of promTargets) {
    const s = services[`prometheus-${t.labels.node.toLowerCase()}`]!;
    expect(flag(s, 'web.listen-address')).toEqual(t.targets);
    expect(flag(s, 'config.file')).toEqual([`${RENDERED}/prometheus/${t.labels.node}.yml`]);
    // The Prometheus config sends alerts to both Alertmanagers, at the addresses they listen on.
    for (const am of amTargets)
      expect(rendered(`prometheus/${t.labels.node}.yml`)).toContain(am.targets[0]);
  }
  for (const t of amTargets) {
    const s = services[`alertmanager-${t.labels.node.toLowerCase()}`]!;
    expect(flag(s, 'web.listen-address')).toEqual(t.targets);
    const others = amTargets
      .filter((o) => o !== t)
      .map((o) => o.targets[0]!.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`));
    expect(flag(s, 'cluster.peer')).toEqual(others);
    expect(s.secrets).toContain('controller_token');
  }
  expect(rendered('alertmanager/alertmanager.yml')).toContain(
    'credentials_file: /run/secrets/controller_token',
  );
});

test('each exporter listens on its node loopback address, as the rendered scrape targets say', () => {
  const targets = JSON.parse(rendered('prometheus/targets/exporters.json')) as {
    targets: string[];
    labels: { node: string };
  }[];
  expect(targets).toHaveLength(inv.nodes.filter((n) => !n.roles.includes('observability')).length);
  for (const t of targets) {
    const s = services[`exporter-${t.labels.node.toLowerCase()}`]!;
    expect(flag(s, 'web.listen-address')).toEqual(t.targets);
    expect(flag(s, 'node')).toEqual([t.labels.node]);
    // Started as the systemd unit starts a tap node's exporter (TAP_NODE_FLAGS before the script).
    const command = args(s);
    expect(command.slice(0, command.indexOf('exporters/dist/cli.js'))).toEqual([...TAP_NODE_FLAGS]);
    expect(JSON.stringify(s.healthcheck?.test)).toContain(`http://${t.targets[0]}/-/ready`);
  }
});

test('the controller listens where Alertmanager sends the webhook and the plugin calls it', () => {
  const [ctl] = JSON.parse(rendered('prometheus/targets/controller.json')) as {
    targets: string[];
  }[];
  const s = services.controller!;
  expect(flag(s, 'listen')).toEqual(ctl!.targets);
  expect(rendered('alertmanager/alertmanager.yml')).toContain(
    `url: http://${ctl!.targets[0]}/api/v1/alerts`,
  );
  const plugin = parse(rendered('grafana/provisioning/plugins/okome-slo-app.yaml')) as {
    apps: { jsonData: { controllerUrl: string } }[];
  };
  expect(plugin.apps[0]?.jsonData.controllerUrl).toBe(`http://${ctl!.targets[0]}`);
  const amUrls = flag(s, 'alertmanager');
  expect(amUrls).toHaveLength(2);
});

test('Grafana datasources point at addresses some service of the stack listens on', () => {
  const listening = new Set(
    Object.values(services).flatMap((s) => [
      ...flag(s, 'web.listen-address'),
      ...flag(s, 'listen'),
    ]),
  );
  const ds = (
    parse(rendered('grafana/provisioning/datasources/okome.yaml')) as {
      datasources: { type: string; url: string }[];
    }
  ).datasources;
  for (const d of ds) {
    const hostPort = d.url.replace(/^http:\/\//, '');
    // Loki listens on every address of the namespace (0.0.0.0:3100).
    const ok = d.type === 'loki' ? hostPort.endsWith(':3100') : listening.has(hostPort);
    expect({ ds: d.url, ok }).toEqual({ ds: d.url, ok: true });
  }
  const loopbackProm = loop.nodes.find((n) => n.id === 'NODE-09')!.address;
  expect(ds[0]?.url).toBe(`http://${loopbackProm}:9090`);
});

test('the plugin mount is the plugin build output, at the plugin id, allowed unsigned', () => {
  const pluginJson = JSON.parse(
    readFileSync(join(ROOT, 'grafana-plugin', 'src', 'plugin.json'), 'utf8'),
  ) as { id: string };
  // The plugin's webpack config decides where the build goes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const webpackConfig = require(join(ROOT, 'grafana-plugin', 'webpack.config.js')) as (
    env: object,
  ) => { output: { path: string } };
  const buildDir = webpackConfig({ production: true }).output.path;
  const mount = (services.grafana?.volumes ?? []).find((v) =>
    v.endsWith(`/plugins/${pluginJson.id}:ro`),
  );
  expect(mount).toBeDefined();
  const [source, target] = mount!.split(':');
  expect(resolve(ROOT, source as string)).toBe(buildDir);
  expect(target).toBe(`/var/lib/grafana/plugins/${pluginJson.id}`);
  expect(services.grafana?.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(
    pluginJson.id,
  );
});

test('the dashboards mount is where the rendered dashboards provider looks', () => {
  const provider = parse(rendered('grafana/provisioning/dashboards/okome.yaml')) as {
    providers: { options: { path: string } }[];
  };
  const path = provider.providers[0]!.options.path;
  const mount = (services.grafana?.volumes ?? []).find((v) => v.split(':')[1] === path);
  expect(mount?.split(':')[0]).toBe('./dashboards');
});
