// The same smoke for every shipped inventory: up (or the shared simulator for OKOME), a stream
// through the ingress, a fault that refuses a backend and heals; plus the reliability rules of
// the CLI (starting twice, cleaning up after a crash).
import { SEED_CLUSTERS } from '@okome/provisioning';
import { ingressTarget, streamCompletion } from '@okome/simulator';
import { eventually } from '../setup/eventually';
import { acquireSimulator, cli, gone } from './harness';

jest.setTimeout(180_000);

describe.each(SEED_CLUSTERS.map((c, i) => [c, 9842 + i] as const))(
  'okome-sim smoke: %s',
  (cluster, port) => {
    it('comes up, streams through its ingress, and a downed backend is refused then heals', async () => {
      const sim = await acquireSimulator(cluster, port);
      try {
        const state = await sim.state();
        expect(state.ready).toBe(true);
        const target = ingressTarget(sim.inventory);
        const ok = await streamCompletion({
          url: target.urls[0] as string,
          protocol: target.protocol,
          model: target.model as string,
          prompt: `smoke ${cluster}`,
          maxTokens: 3,
          headers: { cookie: 'okome_session=smoke' },
        });
        expect(ok.ok).toBe(true);
        expect(ok.completionTokens).toBe(3);

        const engine = sim.inventory.nodes.find((n) =>
          n.services.some((s) => ['vllm', 'ollama'].includes(s.kind)),
        );
        const svc = engine?.services.find((s) => ['vllm', 'ollama'].includes(s.kind));
        const direct = `http://${engine?.address}:${svc?.port}`;
        const protocol = svc?.kind === 'ollama' ? 'ollama-chat' : 'openai-chat';
        const model = svc?.models?.[0] as string;
        const { id } = await sim.fault({ node: engine?.id, kind: 'down', duration: '30s' });
        try {
          const refused = await streamCompletion({
            url: direct,
            protocol,
            model,
            prompt: 'x',
            maxTokens: 1,
          });
          expect(refused.error?.kind).toBe('refused');
        } finally {
          await sim.clear(id);
        }
        const healed = await streamCompletion({
          url: direct,
          protocol,
          model,
          prompt: 'x',
          maxTokens: 1,
        });
        expect(healed.ok).toBe(true);
      } finally {
        await sim.stop();
      }
    });
  },
);

describe('okome-sim CLI reliability', () => {
  it('refuses to start twice on one state dir, and `down` cleans up after a crash', async () => {
    const sim = await acquireSimulator('blackroad', 9850);
    if (!sim.owned) return; // someone else's simulator: not ours to crash
    try {
      const state = await sim.state();
      const stateDir = state.stateDir;
      await expect(
        cli([
          'up',
          '--inventory',
          'blackroad',
          '--state-dir',
          stateDir,
          '--control-listen',
          '127.0.0.1:9851',
        ]),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('already running'),
      });
      // Crash the simulator: its redis-server and nginx children stay behind...
      const children = state.nodes
        .flatMap((n) => n.services)
        .filter((s) => s.pid)
        .map((s) => s.pid as number);
      expect(children.length).toBeGreaterThanOrEqual(3);
      process.kill(state.pid, 'SIGKILL');
      await eventually(async () => {
        if (!gone(state.pid)) throw new Error('still running');
      });
      for (const pid of children) expect(gone(pid)).toBe(false);
      // ...and `down` finds them from the pid files.
      const { stdout } = await cli(['down', '--state-dir', stateDir]);
      expect(stdout).toMatch(/cleaned \d+ leftover process/);
      for (const pid of children) expect(gone(pid)).toBe(true);
      const status = await cli(['status', '--state-dir', stateDir]).catch(
        (e: { code: number; stdout: string }) => e,
      );
      expect(status).toMatchObject({ code: 3 });
    } finally {
      await sim.stop();
    }
  });

  it('names a bad inventory with file, line and path and exits 2', async () => {
    await expect(
      cli(['up', '--inventory', '/nonexistent/inv.yaml', '--state-dir', '/tmp/okome-none']),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('file not found') });
  });
});
