import { join } from 'node:path';
import { loadInventory } from '../inventory/load';
import { INVENTORY_DIR } from '../inventory/query';
import {
  alertmanagerTargets,
  controllerUrl,
  renderFileSdTargets,
  targetGroups,
  targetJobs,
} from './targets';

const okome = loadInventory(join(INVENTORY_DIR, 'okome.yaml'));
const kage = loadInventory(join(INVENTORY_DIR, 'kage-bunshin.yaml'));

describe('file_sd targets', () => {
  it('lists an exporter on every node that does more than observe, with cluster/node/role', () => {
    const groups = targetGroups(okome, 'exporter');
    expect(groups.map((g) => g.labels.node)).toEqual([
      'CORE',
      'OKOME',
      ...['01', '02', '03', '04', '05', '06', '07', '08'].map((n) => `NODE-${n}`),
    ]);
    expect(groups[0]).toEqual({
      targets: ['192.168.86.30:9464'],
      labels: { cluster: 'okome', node: 'CORE', role: 'gpu-core' },
    });
    expect(groups.find((g) => g.labels.node === 'NODE-03')?.labels.role).toBe('cache');
  });

  it('keeps the exporter of a node that observes and also serves (kage-bunshin node-primary)', () => {
    expect(targetGroups(kage, 'exporter').map((g) => g.labels.node)).toContain('node-primary');
  });

  it('maps addresses to loopback on request, names to 127.0.250.N by position', () => {
    expect(targetGroups(okome, 'exporter', { loopback: true })[0]?.targets).toEqual([
      '127.0.86.30:9464',
    ]);
    expect(targetGroups(kage, 'exporter', { loopback: true }).map((g) => g.targets[0])).toEqual([
      '127.0.250.1:9464',
      '127.0.250.2:9464',
      '127.0.250.3:9464',
      '127.0.250.4:9464',
    ]);
  });

  it('self-scrapes the Prometheus pair, the Alertmanagers and the controller', () => {
    expect(targetGroups(okome, 'prometheus').map((g) => g.targets[0])).toEqual([
      '192.168.86.49:9090',
      '192.168.86.50:9090',
    ]);
    expect(alertmanagerTargets(okome, { loopback: true })).toEqual([
      '127.0.86.49:9093',
      '127.0.86.50:9093',
    ]);
    expect(targetGroups(okome, 'controller')).toEqual([
      {
        targets: ['192.168.86.49:9700'],
        labels: { cluster: 'okome', node: 'NODE-09', role: 'controller' },
      },
    ]);
    expect(controllerUrl(okome, { loopback: true })).toBe('http://127.0.86.49:9700');
  });

  it('drops the controller job when the inventory names no controller', () => {
    const noController = {
      ...okome,
      observability: { ...okome.observability, controller: undefined },
    };
    expect(targetJobs(noController)).toEqual([
      'exporter',
      'prometheus',
      'alertmanager',
      'probeOpenai',
      'probeOllama',
      'probeRedis',
    ]);
    expect(controllerUrl(noController)).toBeUndefined();
  });

  it("probes every engine and cache from its own node's exporter, at the service port", () => {
    const loop = { loopback: true };
    const core = targetGroups(okome, 'probeOllama', loop);
    expect(core).toEqual([
      {
        targets: ['http://127.0.86.30:11434'],
        labels: {
          cluster: 'okome',
          node: 'CORE',
          role: 'gpu-core',
          service: 'ollama',
          __tmp_okome_prober: '127.0.86.30:9464',
        },
      },
    ]);
    const openai = targetGroups(okome, 'probeOpenai', loop);
    expect(openai.map((g) => g.targets[0])).toEqual([
      'http://127.0.86.30:8000',
      'http://127.0.86.47:8000',
      'http://127.0.86.48:8000',
    ]);
    const redis = targetGroups(okome, 'probeRedis', loop);
    expect(redis.map((g) => [g.targets[0], g.labels.__tmp_okome_prober])).toEqual(
      ['43', '44', '45', '46'].map((d) => [`redis://127.0.86.${d}:6379`, `127.0.86.${d}:9464`]),
    );
    // No engines, no probe job: a cluster without a cache has no empty probe-redis file.
    const noCache = {
      ...okome,
      nodes: okome.nodes.map((n) => ({
        ...n,
        services: n.services.filter((s) => s.kind !== 'redis'),
      })),
    };
    expect(targetJobs(noCache)).not.toContain('probeRedis');
  });

  it('renders a JSON file Prometheus reads', () => {
    const parsed = JSON.parse(renderFileSdTargets(okome, 'alertmanager')) as unknown;
    expect(parsed).toEqual(targetGroups(okome, 'alertmanager'));
  });
});
