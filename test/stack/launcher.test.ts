// okome-stack on its own, without the simulator: an observability pair from a small inventory,
// in its own state dir and addresses, so it runs beside the shared e2e stack.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processIsRunning } from '@okome/provisioning';
import { eventually } from '../setup/eventually';
import { STACK_CLI, ROOT } from '../setup/stack';

const inventory = join(ROOT, 'test', 'fixtures', 'mini-observability.yaml');

interface Health {
  name: string;
  url: string;
  pid: number;
  running: boolean;
  healthy: boolean;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

describe('okome-stack without the simulator', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'okome-stack-'));
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [STACK_CLI, ...args, '--state-dir', stateDir], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  let components: Health[] = [];

  beforeAll(() => {
    const up = cli(['up', '--inventory', inventory, '--detach']);
    if (up.status !== 0) throw new Error(`okome-stack up failed:\n${up.stdout}\n${up.stderr}`);
    components = (JSON.parse(cli(['status', '--json']).stdout) as { components: Health[] })
      .components;
  }, 150_000);

  afterAll(() => {
    cli(['down']);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('reports every component healthy with its URL', () => {
    expect(components.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'alertmanager-OBS-1',
        'alertmanager-OBS-2',
        'prometheus-OBS-1',
        'prometheus-OBS-2',
      ]),
    );
    expect(components.every((c) => c.healthy)).toBe(true);
    expect(components.find((c) => c.name === 'prometheus-OBS-1')?.url).toBe(
      'http://127.0.77.11:9090',
    );
  });

  it('gives each Prometheus its own replica label and both Alertmanagers', async () => {
    for (const [node, host] of [
      ['OBS-1', '127.0.77.11'],
      ['OBS-2', '127.0.77.12'],
    ]) {
      const cfg = await getJson<{ data: { yaml: string } }>(
        `http://${host}:9090/api/v1/status/config`,
      );
      expect(cfg.data.yaml).toContain(`replica: ${node}`);
      await eventually(async () => {
        const ams = await getJson<{ data: { activeAlertmanagers: { url: string }[] } }>(
          `http://${host}:9090/api/v1/alertmanagers`,
        );
        expect(ams.data.activeAlertmanagers.map((a) => a.url).sort()).toEqual([
          'http://127.0.77.11:9093/api/v2/alerts',
          'http://127.0.77.12:9093/api/v2/alerts',
        ]);
      });
    }
  });

  it('scrapes both Prometheus servers and both Alertmanagers through file_sd', async () => {
    await eventually(async () => {
      const res = await getJson<{
        data: { activeTargets: { labels: Record<string, string>; health: string }[] };
      }>('http://127.0.77.11:9090/api/v1/targets?state=active');
      const up = res.data.activeTargets
        .filter((t) => t.health === 'up')
        .map((t) => `${t.labels.job}/${t.labels.node}`);
      expect(up).toEqual(
        expect.arrayContaining([
          'alertmanager/OBS-1',
          'alertmanager/OBS-2',
          'prometheus/OBS-1',
          'prometheus/OBS-2',
        ]),
      );
    });
  });

  it('clusters the two Alertmanagers', async () => {
    for (const host of ['127.0.77.11', '127.0.77.12'])
      await eventually(async () => {
        const status = await getJson<{ cluster: { status: string; peers: { address: string }[] } }>(
          `http://${host}:9093/api/v2/status`,
        );
        expect(status.cluster.status).toBe('ready');
        expect(status.cluster.peers.map((p) => p.address).sort()).toEqual([
          '127.0.77.11:9094',
          '127.0.77.12:9094',
        ]);
      });
  });

  it('refuses a second up while running', () => {
    const again = cli(['up', '--inventory', inventory, '--detach']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already up');
  });

  it('down stops every process it started', () => {
    const pids = components.map((c) => c.pid);
    expect(cli(['down']).status).toBe(0);
    const alive = pids.filter(processIsRunning);
    expect(alive).toEqual([]);
    const status = cli(['status', '--json']);
    expect(status.status).toBe(1);
  });
});

describe('okome-stack bad input', () => {
  it('refuses to start over an address in use and starts nothing', async () => {
    const squatter = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => squatter.listen(9090, '127.0.77.11', resolve));
    const stateDir = mkdtempSync(join(tmpdir(), 'okome-stack-busy-'));
    try {
      const res = spawnSync(
        process.execPath,
        [STACK_CLI, 'up', '--inventory', inventory, '--detach', '--state-dir', stateDir],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('address already in use: prometheus-OBS-1 (127.0.77.11:9090)');
      const status = spawnSync(
        process.execPath,
        [STACK_CLI, 'status', '--json', '--state-dir', stateDir],
        {
          encoding: 'utf8',
        },
      );
      expect((JSON.parse(status.stdout) as { components: unknown[] }).components).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('names the problem in a broken inventory', () => {
    const res = spawnSync(
      process.execPath,
      [STACK_CLI, 'up', '--inventory', join(ROOT, 'test', 'fixtures', 'no-such.yaml')],
      {
        encoding: 'utf8',
      },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/no-such\.yaml:1:1 file not found/);
  });

  it('rejects an unknown command with exit 2', () => {
    const res = spawnSync(process.execPath, [STACK_CLI, 'sideways'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('unknown command "sideways"');
  });

  it('prints help', () => {
    expect(execFileSync(process.execPath, [STACK_CLI, '--help'], { encoding: 'utf8' })).toContain(
      'okome-stack <command>',
    );
  });
});
