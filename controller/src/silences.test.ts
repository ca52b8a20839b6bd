// Against a real Alertmanager: a drain silences the backend's non-routing alerts, the revert
// expires the silence again; a holder whose alert Alertmanager no longer has is released.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecActuator, HaproxyActuator, NginxActuator } from './actuators';
import { startController } from './main';
import type { RunningController } from './main';
import { tempDir, testInventory, webhook } from './testing/fixtures';
import { freePort } from './testing/nginx';

jest.setTimeout(30_000);

let tmp: ReturnType<typeof tempDir>;
let am: ChildProcess;
let amUrl: string;
let ctl: RunningController;

interface Silence {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string; isEqual: boolean }[];
}

beforeAll(async () => {
  tmp = tempDir('okome-am-');
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  const cfg = join(tmp.dir, 'am.yml');
  writeFileSync(cfg, 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
  am = spawn(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${cfg}`,
      `--storage.path=${join(tmp.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${amUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const inv = testInventory();
  ctl = await startController(
    {
      inventory: inv,
      stateDir: join(tmp.dir, 'state'),
      host: '127.0.0.1',
      port: 0,
      token: 'silence-test-token-0123456789',
      dryRun: false,
      // The first peer is down: the client must fall through to the live one.
      alertmanagers: [`http://127.0.0.1:${await freePort()}`, amUrl],
      holdDownMs: 200,
      rateLimitCount: 10,
      rateLimitWindowMs: 600_000,
      minHealthyPercent: 0,
    },
    {
      actuators: {
        exec: new ExecActuator(),
        nginx: new NginxActuator(),
        haproxy: new HaproxyActuator(),
      },
      tickMs: 50,
      // The test drives the holder check itself, and needs no grace for a late notification.
      holderCheckMs: 0,
      holderGraceMs: 0,
    },
  );
});

afterAll(async () => {
  // beforeAll may have failed before the controller started; still stop what did start.
  await (ctl as RunningController | undefined)?.close().catch(() => undefined);
  const exited = new Promise((r) => am.once('exit', r));
  am.kill('SIGTERM');
  await exited;
  tmp.cleanup();
});

async function silences(): Promise<Silence[]> {
  return (await (await fetch(`${amUrl}/api/v2/silences`)).json()) as Silence[];
}

async function until(pred: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const post = (body: unknown) =>
  fetch(`${ctl.url}/api/v1/alerts`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer silence-test-token-0123456789',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });

it('silences the drained backend’s side-effect alerts and expires the silence on revert', async () => {
  await post(webhook([{}]));
  await until(async () => (await silences()).some((s) => s.status.state === 'active'));
  const active = (await silences()).filter((s) => s.status.state === 'active');
  expect(active).toHaveLength(1);
  expect(active[0]!.matchers).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ name: 'node', value: 'CORE', isEqual: true }),
      // Routing alerts (which carry okome_action) stay audible so their resolution arrives.
      expect.objectContaining({ name: 'okome_action', value: '', isEqual: true }),
    ]),
  );
  expect(ctl.engine.snapshot().silences['engine/CORE']).toEqual([active[0]!.id]);

  await post(webhook([{ status: 'resolved' }]));
  await until(async () => (await silences()).every((s) => s.status.state === 'expired'));
  expect((await silences()).map((s) => s.status.state)).toEqual(['expired']);
  expect(ctl.engine.snapshot().routing).toEqual({});
});

it('releases a backend whose alert resolved without a notification (e.g. while inhibited)', async () => {
  const labels = {
    alertname: 'OkomeBackendFirstTokenBudget',
    severity: 'critical',
    okome_action: 'drain',
    okome_pool: 'engine',
    okome_backend: 'CORE',
  };
  const startsAt = new Date().toISOString();
  const putAlert = (endsAt: string) =>
    fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, startsAt, endsAt }]),
    });
  await putAlert(new Date(Date.now() + 3600_000).toISOString());
  const active = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as {
    fingerprint: string;
  }[];
  expect(active).toHaveLength(1);
  const fingerprint = active[0]!.fingerprint;
  await post(webhook([{ fingerprint, labels, startsAt }]));
  expect(ctl.engine.snapshot().routing['engine']?.['CORE']).toMatchObject({
    state: 'drain',
    holders: [fingerprint],
  });

  // Still active: never released, however often it is checked.
  expect(await ctl.engine.releaseLostHolders()).toEqual([]);
  expect(await ctl.engine.releaseLostHolders()).toEqual([]);

  // Resolved in Alertmanager, but the resolution never reaches the controller.
  await putAlert(new Date().toISOString());
  await until(
    async () => ((await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as unknown[]).length === 0,
  );
  // The first miss starts the grace (the resolved notification may still come); once it is
  // over the holder is released and the revert follows.
  expect(await ctl.engine.releaseLostHolders()).toEqual([]);
  expect(await ctl.engine.releaseLostHolders()).toEqual([`engine/CORE/${fingerprint}`]);
  await until(async () => ctl.engine.snapshot().routing['engine'] === undefined);
  expect(ctl.engine.snapshot().routing).toEqual({});
  expect(ctl.engine.audit.readAll().map((e) => e.reason)).toContainEqual(
    expect.stringMatching(/no longer active on any Alertmanager .*enable after hold-down/),
  );

  // A peer's late copy of the old firing changes nothing: Alertmanager no longer has the alert.
  const late = await post(webhook([{ fingerprint, labels, startsAt }]));
  expect(((await late.json()) as { results: { result: string }[] }).results[0]?.result).toBe(
    'duplicate',
  );
  expect(ctl.engine.snapshot().routing).toEqual({});

  // Firing again under its old startsAt (the pair's alerts overlap) and active: it counts.
  await putAlert(new Date(Date.now() + 3600_000).toISOString());
  await post(webhook([{ fingerprint, labels, startsAt }]));
  expect(ctl.engine.snapshot().routing['engine']?.['CORE']?.state).toBe('drain');
  await post(webhook([{ fingerprint, labels, startsAt, status: 'resolved' }]));
  await until(async () => ctl.engine.snapshot().routing['engine'] === undefined);
});
