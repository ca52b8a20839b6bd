// What `render` writes must load in the real programs: promtool, amtool and nginx check the
// files exactly as the CLI writes them, for every shipped inventory.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRendered } from '../cli/write';
import { loadInventory } from '../inventory/load';
import { INVENTORY_DIR, SEED_CLUSTERS } from '../inventory/query';
import { renderAll } from './bundle';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'okome-render-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(cmd: string, args: string[]): { code: number | null; output: string; stdout: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const RULES = `groups:
  - name: okome-test
    rules:
      - alert: OkomeBackendDown
        expr: up{job="okome-exporter"} == 0
        for: 1m
        labels: { severity: page, okome_action: drain }
`;

function renderInto(name: string, loopback: boolean): string {
  const out = join(root, `${name}-${loopback ? 'loopback' : 'real'}`);
  const rulesDir = join(out, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(join(rulesDir, 'okome.rules.yml'), RULES);
  const inv = loadInventory(join(INVENTORY_DIR, `${name}.yaml`));
  writeRendered(
    out,
    renderAll(inv, { loopback, rulesDir, controllerTokenFile: join(out, 'token') }),
  );
  return out;
}

describe.each(SEED_CLUSTERS)('render %s', (name) => {
  describe.each([true, false])('loopback=%s', (loopback) => {
    let out: string;
    beforeAll(() => {
      out = renderInto(name, loopback);
    });

    it('passes promtool check config for every Prometheus, rule files included', () => {
      const configs = readdirSync(join(out, 'prometheus')).filter((f) => f.endsWith('.yml'));
      expect(configs.length).toBeGreaterThanOrEqual(1);
      for (const file of configs) {
        const r = run('promtool', ['check', 'config', join(out, 'prometheus', file)]);
        expect(r.output).toContain('1 rule files found');
        expect({ file, ...r }).toMatchObject({ code: 0 });
      }
    });

    it('passes amtool check-config, template included', () => {
      const r = run('amtool', ['check-config', join(out, 'alertmanager', 'alertmanager.yml')]);
      expect(r.output).toContain('1 templates');
      expect(r).toMatchObject({ code: 0 });
    });
  });

  it('nginx -t accepts every frontend (loopback render)', () => {
    const out = join(root, `${name}-loopback`);
    const frontends = readdirSync(join(out, 'nginx'));
    expect(frontends.length).toBeGreaterThanOrEqual(1);
    for (const frontend of frontends) {
      const prefix = join(out, 'nginx', frontend);
      const r = run('nginx', ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf')]);
      expect({ frontend, ...r }).toMatchObject({ code: 0 });
    }
  });
});

describe('the real tools catch what they should (so the checks above can fail)', () => {
  it('promtool rejects a broken rule file next to a rendered config', () => {
    const out = renderInto('okome', true);
    writeFileSync(
      join(out, 'rules', 'broken.rules.yml'),
      'groups: [{name: x, rules: [{alert: A, expr: "up ==="}]}]\n',
    );
    const r = run('promtool', ['check', 'config', join(out, 'prometheus', 'NODE-09.yml')]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('broken.rules.yml');
  });

  it('nginx -t rejects an upstream that points at a missing pool', () => {
    const out = renderInto('kage-bunshin', true);
    const prefix = join(out, 'nginx', 'node-primary');
    writeFileSync(
      join(prefix, 'servers', 'extra.conf'),
      'server { listen 127.0.250.1:1; location / { proxy_pass http://okome_missing; } }\n',
    );
    const r = run('nginx', ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf')]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('okome_missing');
  });
});

describe('Alertmanager routing, as amtool resolves it', () => {
  let config: string;
  beforeAll(() => {
    config = join(renderInto('okome', true), 'alertmanager', 'alertmanager.yml');
  });
  const receivers = (...labels: string[]) => {
    const r = run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels]);
    expect(r.code).toBe(0);
    return r.stdout.trim();
  };

  it('sends a paging routing alert to the controller and on-call', () => {
    expect(receivers('alertname=OkomeBackendDown', 'okome_action=drain', 'severity=page')).toBe(
      'okome-controller,oncall-page',
    );
  });

  it('sends tickets to the ticket receiver and nothing else to the controller', () => {
    expect(
      receivers('alertname=ErrorBudgetBurn', 'severity=ticket', 'slo=engine-first-token'),
    ).toBe('ticket');
    expect(receivers('alertname=Whatever', 'okome_action=reboot')).toBe('ticket');
  });
});
