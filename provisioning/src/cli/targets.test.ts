// okome-provision render --target and the deploy command as wired into the CLI (issue 11).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProvision } from './run';

const cwd = mkdtempSync(join(tmpdir(), 'okome-cli-cwd-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = runProvision(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd });
  return { code, out, err };
}

describe('okome-provision render --target and deploy (issue 11)', () => {
  it('--target systemd,grafana writes per-node sets and Grafana provisioning, not the configs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okome-render-target-'));
    try {
      const r = cli(
        'render',
        '--inventory',
        'okome',
        '--out',
        dir,
        '--target',
        'systemd,grafana',
        '--json',
      );
      expect(r.code).toBe(0);
      const files = (JSON.parse(r.out) as { files: string[] }).files;
      expect(files).toContain('systemd/CORE/rootfs/etc/systemd/system/okome-exporter.service');
      expect(files).toContain('grafana/provisioning/plugins/okome-slo-app.yaml');
      expect(files.some((f) => f.startsWith('prometheus/'))).toBe(false);
      expect(existsSync(join(dir, 'systemd/NODE-09/install.sh'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown --target is a usage error naming it', () => {
    const r = cli(
      'render',
      '--inventory',
      'okome',
      '--out',
      '/tmp/never-written',
      '--target',
      'kubernetes',
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('--target: unknown target "kubernetes"');
  });

  it('deploy is a command: --help', () => {
    const r = cli('deploy', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--dry-run');
  });
});
