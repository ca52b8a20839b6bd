// Drill silences against a real Alertmanager: created, visible in its API, expired; bad input
// comes back as a clear error.
import { AlertmanagerError, createSilence, expireSilence } from '@okome/alerting';
import { QUIET_ALERTMANAGER_CONFIG, alertmanagerAddr, startAlertmanager } from './servers';
import type { Running } from './servers';

describe('createSilence / expireSilence', () => {
  let am: Running | undefined;
  beforeAll(async () => {
    const addr = await alertmanagerAddr('127.0.77.6');
    am = await startAlertmanager(addr, [], QUIET_ALERTMANAGER_CONFIG);
  }, 60_000);
  afterAll(() => am?.stop());

  const state = async (id: string) => {
    const res = await fetch(`${am!.url}/api/v2/silence/${id}`);
    return (
      (await res.json()) as { status: { state: string }; matchers: unknown[]; createdBy: string }
    ).status.state;
  };

  it('adds a silence for a drill and expires it', async () => {
    const id = await createSilence(am!.url, {
      matchers: [
        { name: 'okome_backend', value: 'CORE' },
        { name: 'alertname', value: 'OkomeBackend.*', isRegex: true },
      ],
      endsAt: new Date(Date.now() + 10 * 60_000),
      createdBy: 'okome-controller',
      comment: 'drill isolate-core-gpu',
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await state(id)).toBe('active');
    await expireSilence(am!.url, id);
    expect(await state(id)).toBe('expired');
  });

  it('refuses an end before the start without calling Alertmanager, and reports API errors', async () => {
    await expect(
      createSilence(am!.url, {
        matchers: [{ name: 'a', value: 'b' }],
        endsAt: new Date(0),
        createdBy: 't',
        comment: 'c',
      }),
    ).rejects.toThrow(/must be after startsAt/);
    await expect(expireSilence(am!.url, 'not-a-silence')).rejects.toThrow(AlertmanagerError);
    await expect(
      createSilence('http://127.0.77.6:1', {
        matchers: [{ name: 'a', value: 'b' }],
        endsAt: new Date(Date.now() + 60_000),
        createdBy: 't',
        comment: 'c',
      }),
    ).rejects.toThrow(/unreachable/);
  });
});
