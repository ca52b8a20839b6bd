// Real HAProxy (Debian) with an admin socket: drain/maint/ready and weights over the runtime API.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendState, Inventory } from '@okome/provisioning';
import { poolOf, tempDir, testInventory } from '../testing/fixtures';
import { freePort } from '../testing/nginx';
import { haproxyCommand, HaproxyActuator, parseServersState, runtimeStateOf } from './haproxy';
import type { PoolChange } from './types';

let tmp: ReturnType<typeof tempDir>;
let haproxy: ChildProcess;
let socket: string;
let inv: Inventory;

beforeEach(async () => {
  tmp = tempDir();
  socket = join(tmp.dir, 'admin.sock');
  const port = await freePort();
  const cfg = join(tmp.dir, 'haproxy.cfg');
  // Backends point at closed ports; no health checks, so HAProxy keeps them as configured.
  writeFileSync(
    cfg,
    `global
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend llm
  bind 127.0.0.1:${port}
  default_backend engine
backend engine
  balance leastconn
  server CORE 127.0.0.1:${await freePort()} weight 10
  server NODE-07 127.0.0.1:${await freePort()} backup
  server NODE-08 127.0.0.1:${await freePort()} backup
`,
  );
  haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  inv = testInventory();
  inv.routing.pools[0]!.actuator = 'haproxy';
  inv.nodes.find((n) => n.id === 'NODE-01')!.tools = { haproxySocket: socket };
});

afterEach(async () => {
  const exited = new Promise((r) => haproxy.once('exit', r));
  haproxy.kill('SIGTERM');
  await exited;
  tmp.cleanup();
});

const change = (
  desired: Record<string, BackendState>,
  previous: Record<string, BackendState> = {},
): PoolChange => ({
  inventory: inv,
  pool: poolOf(inv),
  desired,
  previous,
  backend: 'CORE',
  actionId: 'a1',
});

async function runtime(): Promise<Record<string, string>> {
  const servers = parseServersState(await haproxyCommand(socket, 'show servers state engine'));
  return Object.fromEntries(servers.map((s) => [s.server, `${runtimeStateOf(s)}/${s.weight}`]));
}

describe('haproxy actuator', () => {
  it('drains, puts in maintenance and brings back servers, verified from show servers state', async () => {
    const a = new HaproxyActuator();
    expect(await runtime()).toEqual({
      CORE: 'enabled/10',
      'NODE-07': 'enabled/1',
      'NODE-08': 'enabled/1',
    });
    const c = change({ CORE: 'drain', 'NODE-08': 'disabled' });
    await a.apply(c);
    await a.verify(c);
    expect(await runtime()).toMatchObject({ CORE: 'drain/10', 'NODE-08': 'disabled/1' });
    await a.rollback(c);
    expect(await runtime()).toEqual({
      CORE: 'enabled/10',
      'NODE-07': 'enabled/1',
      'NODE-08': 'enabled/1',
    });
  });

  it('restores the configured weight when a server comes back', async () => {
    await haproxyCommand(socket, 'set server engine/CORE weight 0');
    const a = new HaproxyActuator();
    const c = change({});
    await expect(a.verify(c)).rejects.toThrow(/engine\/CORE weight 0, expected 10/);
    await a.apply(c);
    await a.verify(c);
    expect((await runtime()).CORE).toBe('enabled/10');
  });

  it('fails with HAProxy’s own answer when a server does not exist', async () => {
    inv.routing.pools[0]!.backends.push({
      node: 'NODE-05',
      service: 'redis',
      weight: 1,
      backup: false,
    });
    await expect(new HaproxyActuator().apply(change({ 'NODE-05': 'drain' }))).rejects.toThrow(
      /NODE-01: "set server engine\/NODE-05 state drain": .*No such server/i,
    );
  });

  it('reports an unreachable socket', async () => {
    inv.nodes.find((n) => n.id === 'NODE-01')!.tools = {
      haproxySocket: join(tmp.dir, 'missing.sock'),
    };
    await expect(new HaproxyActuator().apply(change({}))).rejects.toThrow(
      /missing\.sock: connect ENOENT/,
    );
  });
});
