import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_CLUSTERS } from '../inventory/query';
import { runDeployCommand } from './command';
import type { StepRunner } from './run';

function io(runner?: StepRunner) {
  const out: string[] = [];
  const err: string[] = [];
  let dir = mkdtempSync(join(tmpdir(), 'okome-deploy-'));
  return {
    out,
    err,
    get dir() {
      return dir;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    io: {
      out: (t: string) => void out.push(t),
      err: (t: string) => void err.push(t),
      get cwd() {
        return dir;
      },
      runner,
    },
    reset: () => (dir = mkdtempSync(join(tmpdir(), 'okome-deploy-'))),
  };
}

/** Fails the test if deploy tries to run anything. */
const forbidden: StepRunner = (step) => {
  throw new Error(`dry run executed ${step.argv.join(' ')}`);
};

describe('okome-provision deploy --dry-run', () => {
  it('prints the plan for the OKOME cluster: every node, exact ssh/scp commands, runs and writes nothing', () => {
    const t = io(forbidden);
    try {
      const code = runDeployCommand(['--inventory', 'okome', '--dry-run'], t.io);
      const text = t.out.join('');
      expect(code).toBe(0);
      for (const n of ['CORE', 'OKOME', 'NODE-01', 'NODE-09', 'NODE-10'])
        expect(text).toContain(`== ${n} (okome@`);
      expect(text).toContain(
        'scp -P 22 -o BatchMode=yes -o ConnectTimeout=10 -r ' +
          join(t.dir, '.okome/deploy/okome/systemd/CORE') +
          ' okome@192.168.86.30:/tmp/okome-deploy/',
      );
      expect(text).toContain(
        "ssh -p 22 -o BatchMode=yes -o ConnectTimeout=10 okome@192.168.86.30 'sudo install -D -m 0644 /tmp/okome-deploy/CORE/inventory.yaml /etc/okome/inventory.yaml && sudo sh /tmp/okome-deploy/CORE/install.sh'",
      );
      expect(text).toContain(
        "okome@192.168.86.30 'curl -fsS --max-time 10 -o /dev/null http://192.168.86.30:9464/-/ready'",
      );
      // Grafana runs on the observability pair: provisioning and dashboards go there.
      expect(text).toMatch(
        /okome@192\.168\.86\.49 '.*sudo cp -R \/tmp\/okome-deploy\/NODE-09\/grafana-provisioning\/\. \/etc\/grafana\/provisioning\/.*systemctl restart grafana-server'/,
      );
      expect(text).toContain('# would render configs, grafana, systemd into .okome/deploy/okome');
      expect(text).toMatch(/12 nodes, 0 failed/);
      expect(existsSync(join(t.dir, '.okome'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  it('--nodes and --user narrow the plan; --json lists the commands', () => {
    const t = io(forbidden);
    try {
      const code = runDeployCommand(
        [
          '--inventory',
          'okome',
          '--nodes',
          'NODE-03,NODE-04',
          '--user',
          'ops',
          '--dry-run',
          '--json',
        ],
        t.io,
      );
      expect(code).toBe(0);
      const report = JSON.parse(t.out.join('')) as {
        nodes: { node: string; host: string; status: string; commands: string[] }[];
      };
      expect(report.nodes.map((n) => [n.node, n.host, n.status])).toEqual([
        ['NODE-03', 'ops@192.168.86.43', 'planned'],
        ['NODE-04', 'ops@192.168.86.44', 'planned'],
      ]);
      expect(report.nodes[0]?.commands.every((c) => /^(ssh|scp) /.test(c))).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it.each(SEED_CLUSTERS)('plans every node of %s', (name) => {
    const t = io(forbidden);
    try {
      expect(runDeployCommand(['--inventory', name, '--dry-run'], t.io)).toBe(0);
      expect(t.out.join('')).toMatch(/\d+ nodes?, 0 failed/);
    } finally {
      t.cleanup();
    }
  });
});

describe('okome-provision deploy errors', () => {
  it('names unknown nodes and exits 2', () => {
    const t = io(forbidden);
    try {
      expect(
        runDeployCommand(['--inventory', 'okome', '--nodes', 'NODE-99,CORE', '--dry-run'], t.io),
      ).toBe(2);
      expect(t.err.join('')).toContain('--nodes: unknown node "NODE-99" in inventory "okome"');
    } finally {
      t.cleanup();
    }
  });

  it('refuses a user name that is not one, and a missing --inventory', () => {
    const t = io(forbidden);
    try {
      expect(
        runDeployCommand(['--inventory', 'okome', '--user', 'x;rm -rf /', '--dry-run'], t.io),
      ).toBe(2);
      expect(runDeployCommand(['--dry-run'], t.io)).toBe(2);
      expect(t.err.join('')).toContain('--user: not a user name');
      expect(t.err.join('')).toContain('--inventory is required');
    } finally {
      t.cleanup();
    }
  });

  it('a failing node is reported, the others go on, and the exit code says so', () => {
    const ran: string[] = [];
    // Stands in for ssh/scp (never run in tests): NODE-04 is unreachable.
    const runner: StepRunner = (step) => {
      const host = step.argv.find((a) => /@/.test(a)) ?? '';
      ran.push(host);
      return host.includes('192.168.86.44')
        ? {
            ok: false,
            code: 255,
            output: 'ssh: connect to host 192.168.86.44 port 22: No route to host',
          }
        : { ok: true, code: 0, output: '' };
    };
    const t = io(runner);
    try {
      const code = runDeployCommand(
        ['--inventory', 'okome', '--nodes', 'NODE-03,NODE-04,NODE-05'],
        t.io,
      );
      const text = t.out.join('');
      expect(code).toBe(1);
      expect(text).toMatch(
        /NODE-04\s+failed\s+prepare the staging folder: ssh: connect to host 192\.168\.86\.44 port 22: No route to host/,
      );
      expect(text).toMatch(/NODE-03\s+ok/);
      expect(text).toMatch(/NODE-05\s+ok/);
      expect(text).toContain('3 nodes, 1 failed');
      // NODE-04 stopped at its first step; NODE-05 was still deployed after it.
      expect(ran.filter((h) => h.includes('.44'))).toHaveLength(1);
      expect(ran.filter((h) => h.includes('.45')).length).toBeGreaterThan(3);
      // Not a dry run: the render was written for scp to copy.
      expect(readdirSync(join(t.dir, '.okome/deploy/okome/systemd')).sort()).toContain('NODE-04');
    } finally {
      t.cleanup();
    }
  });

  it('--no-render needs an existing rendered folder', () => {
    const t = io(forbidden);
    try {
      expect(
        runDeployCommand(['--inventory', 'okome', '--no-render', '--from', 'nowhere'], t.io),
      ).toBe(1);
      expect(t.err.join('')).toContain('--from nowhere: no such folder');
    } finally {
      t.cleanup();
    }
  });
});
