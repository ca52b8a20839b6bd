import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadInventory } from '../inventory/load';
import { resolveInventoryPath, SEED_CLUSTERS } from '../inventory/query';
import {
  LIMITS_FILE,
  SYSCTL,
  SYSCTL_FILE,
  SYSTEMD_DIR,
  UNIT,
  nodeUnits,
  renderExporterUnit,
  renderSystemd,
} from './systemd';

const inv = (name: string) => loadInventory(resolveInventoryPath(name));

function nodeFiles(files: { path: string; content: string }[], node: string) {
  const prefix = `${SYSTEMD_DIR}/${node}/`;
  return new Map(
    files
      .filter((f) => f.path.startsWith(prefix))
      .map((f) => [f.path.slice(prefix.length), f.content]),
  );
}

describe('systemd set for OKOME', () => {
  const okome = inv('okome');
  const files = renderSystemd(okome);

  it('runs the exporter everywhere but the observability pair, Prometheus and Alertmanager on the pair, the controller once', () => {
    const units = Object.fromEntries(okome.nodes.map((n) => [n.id, nodeUnits(okome, n.id)]));
    expect(units.CORE).toEqual([UNIT.exporter]);
    expect(units['NODE-01']).toEqual([UNIT.exporter]);
    expect(units['NODE-09']).toEqual([UNIT.prometheus, UNIT.alertmanager, UNIT.controller]);
    expect(units['NODE-10']).toEqual([UNIT.prometheus, UNIT.alertmanager]);
  });

  it("CORE's exporter unit names its collectors and one tap per token-path service", () => {
    const unit = renderExporterUnit(okome, 'CORE');
    expect(unit).toContain('--node=CORE');
    expect(unit).toContain('--web.listen-address=192.168.86.30:9464');
    expect(unit).toContain('--inventory=/etc/okome/inventory.yaml');
    expect(unit).toContain('# Collectors (from the inventory): gpu, ollama, token_latency, probe.');
    expect(unit).toContain('# Stream taps in front of: vllm, ollama');
    expect(unit).not.toContain('--tap');
    // A tap node's exporter starts with the young generation its taps need (TAP_NODE_FLAGS).
    expect(unit).toMatch(
      /ExecStart=\S+node \\\n\s+--min-semi-space-size=16 \\\n\s+--no-memory-reducer \\\n\s+\S+exporters\/dist\/cli\.js/,
    );
    expect(unit).toContain('LimitNOFILE=65535');
    expect(unit).toContain('SupplementaryGroups=video');
  });

  it('a cache node runs the redis collector; an ingress node gets the nginx pool files it fronts', () => {
    expect(renderExporterUnit(okome, 'NODE-03')).toContain(
      '# Collectors (from the inventory): redis, token_latency, probe.',
    );
    const n1 = nodeFiles(files, 'NODE-01');
    expect([...n1.keys()].filter((p) => p.includes('nginx')).sort()).toEqual([
      'rootfs/etc/nginx/conf.d/okome.conf',
      'rootfs/etc/nginx/okome/servers/engine.conf',
      'rootfs/etc/nginx/okome/servers/stream.conf',
      'rootfs/etc/nginx/okome/upstreams/engine.conf',
      'rootfs/etc/nginx/okome/upstreams/stream.conf',
    ]);
    expect(n1.get('rootfs/etc/nginx/okome/servers/stream.conf')).toContain(
      'listen 192.168.86.41:8080;',
    );
    expect(n1.get('install.sh')).toContain('nginx -t');
    expect(nodeFiles(files, 'NODE-03').has('rootfs/etc/nginx/conf.d/okome.conf')).toBe(false);
  });

  it('the Alertmanagers gossip with each other; Prometheus loads its own replica config', () => {
    const n9 = nodeFiles(files, 'NODE-09');
    expect(n9.get(`rootfs/etc/systemd/system/${UNIT.alertmanager}`)).toContain(
      '--cluster.peer=192.168.86.50:9094',
    );
    expect(n9.get(`rootfs/etc/systemd/system/${UNIT.prometheus}`)).toContain(
      '--config.file=/etc/okome/prometheus/NODE-09.yml',
    );
    expect(n9.get('rootfs/etc/okome/prometheus/NODE-09.yml')).toContain('replica: NODE-09');
    expect(n9.get(`rootfs/etc/systemd/system/${UNIT.controller}`)).toContain(
      '--alertmanager=http://192.168.86.50:9093',
    );
  });

  it('every node gets the seed base tuning: sysctl and nofile 65535', () => {
    for (const node of okome.nodes) {
      const f = nodeFiles(files, node.id);
      expect(f.get(`rootfs${SYSCTL_FILE}`)).toContain('net.core.somaxconn = 4096');
      expect(f.get(`rootfs${LIMITS_FILE}`)).toContain('* hard nofile 65535');
      expect(f.get('README.md')).toContain(`# ${node.id} (`);
    }
  });

  it('every sysctl key exists in this kernel', () => {
    for (const [key] of SYSCTL)
      expect({ key, exists: existsSync(`/proc/sys/${key.replace(/\./g, '/')}`) }).toEqual({
        key,
        exists: true,
      });
  });
});

describe.each(SEED_CLUSTERS)('systemd set for %s', (name) => {
  const i = inv(name);
  const files = renderSystemd(i);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `okome-systemd-${name}-`));
    for (const f of files) {
      const p = join(dir, f.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has a folder with install.sh and README.md for every node, and install.sh installs every rootfs file', () => {
    for (const node of i.nodes) {
      const f = nodeFiles(files, node.id);
      const script = f.get('install.sh') ?? '';
      const rootfs = [...f.keys()].filter((p) => p.startsWith('rootfs/'));
      expect(rootfs.length).toBeGreaterThanOrEqual(2);
      for (const p of rootfs)
        expect(script).toContain(`install -D -m 0644 ${p} ${p.slice('rootfs'.length)}`);
      for (const u of nodeUnits(i, node.id)) expect(script).toContain(`systemctl restart ${u}`);
      const readme = f.get('README.md') ?? '';
      for (const p of rootfs) expect(readme).toContain(`\`${p.slice('rootfs'.length)}\``);
    }
  });

  it('install.sh is valid POSIX shell (sh -n)', () => {
    for (const node of i.nodes) {
      const res = spawnSync('sh', ['-n', join(dir, SYSTEMD_DIR, node.id, 'install.sh')], {
        encoding: 'utf8',
      });
      expect({ node: node.id, status: res.status, stderr: res.stderr }).toEqual({
        node: node.id,
        status: 0,
        stderr: '',
      });
    }
  });

  it('every unit passes systemd-analyze verify', () => {
    for (const node of i.nodes)
      for (const u of nodeUnits(i, node.id)) {
        const unitDir = join(dir, SYSTEMD_DIR, node.id, 'rootfs', 'etc', 'systemd', 'system');
        const res = spawnSync('systemd-analyze', ['verify', `./${u}`], {
          cwd: unitDir,
          encoding: 'utf8',
        });
        // verify warns about users and paths of the target node that this machine lacks.
        const errors = `${res.stdout}${res.stderr}`
          .split('\n')
          .filter(
            (l) =>
              l.trim() &&
              !/Failed to resolve user|Failed to resolve group|is not executable|No such file|Unit is bound to inactive|Command .* is not executable/.test(
                l,
              ),
          );
        expect({ node: node.id, unit: u, errors }).toEqual({ node: node.id, unit: u, errors: [] });
      }
  });
});
