// ollama-node-loss on the Kage Bunshin inventory: its own simulator stack is not part of the
// shared e2e stack, so this scenario is proven here with its shipped file, the real inventory,
// a dry run (simulated and real cluster) and a full run over fakes.
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import type { Inventory } from '@okome/provisioning';
import {
  FakeAlerts,
  FakeFaults,
  FakeMetrics,
  FakeRouting,
  FakeSilences,
  finished,
} from './fakes.test-support';
import type { Harness } from './fakes.test-support';
import { DEFAULT_DRILLS_DIR, loadScenarios } from './scenario';
import { DrillService } from './service';
import { tempDir } from '../testing/fixtures';

const scenario = loadScenarios(DEFAULT_DRILLS_DIR).find((s) => s.name === 'ollama-node-loss')!;
let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

function setup(simulated: boolean): Harness {
  tmp = tempDir('okome-kb-');
  const inventory: Inventory = loadInventory(resolveInventoryPath('kage-bunshin'));
  inventory.simulated = simulated;
  const metrics = new FakeMetrics();
  metrics.values.set('okome_controller_backend_state{pool="ollama"', 2);
  metrics.values.set('ollama_up', 1);
  const faults = new FakeFaults();
  const alerts = new FakeAlerts();
  const routing = new FakeRouting();
  const silences = new FakeSilences();
  faults.onInject = (f) =>
    setTimeout(() => {
      alerts.firingNow.push({
        labels: { alertname: 'OkomeBackendDown', node: f.node },
        startsAt: new Date().toISOString(),
      });
      routing.put('ollama', f.node, 'disabled');
    }, 50);
  const remove = faults.remove.bind(faults);
  faults.remove = async (id) => {
    const f = faults.faults.find((x) => x.id === id)!;
    await remove(id);
    setTimeout(() => {
      alerts.firingNow = [];
      routing.put('ollama', f.node, 'enabled');
    }, 50);
  };
  const opts = {
    inventory,
    stateDir: tmp.dir,
    scenarios: [{ ...scenario, intervalMs: 50, holdMs: 100, recoveryWithinMs: 2000 }],
    metrics,
    routing,
    alerts,
    silences,
    faults,
    log: () => undefined,
  };
  return {
    service: new DrillService(opts),
    metrics,
    faults,
    alerts,
    silences,
    routing,
    dir: tmp.dir,
    opts,
    cleanup: () => undefined,
  };
}

describe('ollama-node-loss (Kage Bunshin)', () => {
  it('dry run on the simulator targets the first GPU node behind :11435', async () => {
    const h = setup(true);
    await h.service.replay();
    const dry = await h.service.start({ scenario: 'ollama-node-loss', dryRun: true });
    if (!('dryRun' in dry)) throw new Error('not a dry run');
    expect(dry.targets).toEqual(['node-gpu-mobile']);
    expect(dry.preflight.checks.find((c) => c.name === 'scenario-allowed')!.ok).toBe(true);
    expect(dry.plan.filter((p) => p.node).map((p) => `${p.phase}: ${p.detail}`)).toEqual([
      'inject: POST http://127.0.0.1:1/faults {"node":"node-gpu-mobile","kind":"down","params":{}}',
      'rollback: DELETE http://127.0.0.1:1/faults/{id} (every fault tagged with this drill)',
    ]);
    expect(dry.expectedRouting).toEqual([
      {
        pool: 'ollama',
        backend: 'node-gpu-mobile',
        states: ['disabled', 'drain'],
        changedAt: null,
        observed: null,
      },
    ]);
  });

  it('on the real cluster it would stop ollama over ssh, and refuses without allowRealFaults', async () => {
    const h = setup(false);
    await h.service.replay();
    const node = h.opts.inventory.nodes.find((n) => n.id === 'node-gpu-primary')!;
    const dry = await h.service.start({
      scenario: 'ollama-node-loss',
      targets: ['node-gpu-primary'],
      dryRun: true,
    });
    if (!('dryRun' in dry)) throw new Error('not a dry run');
    expect(dry.plan.find((p) => p.phase === 'inject' && p.node)!.detail).toBe(
      `/bin/sh -c "ssh ${node.address} sudo systemctl stop ollama"`,
    );
    expect(dry.preflight.checks.find((c) => c.name === 'real-faults')).toMatchObject({ ok: false });
    await expect(h.service.start({ scenario: 'ollama-node-loss' })).rejects.toThrow(
      /allowRealFaults/,
    );
  });

  it('runs through detect, reroute, rollback and recovery', async () => {
    const h = setup(true);
    await h.service.replay();
    const out = await h.service.start({
      scenario: 'ollama-node-loss',
      targets: ['node-gpu-primary'],
    });
    if ('dryRun' in out) throw new Error('dry run');
    const rec = await finished(h, out.id);
    expect(rec.status).toBe('passed');
    expect(rec.report!.timeToRerouteSeconds).not.toBeNull();
    expect(h.faults.faults).toEqual([]);
    expect(h.routing.state.ollama ?? {}).toEqual({});
  });
});
