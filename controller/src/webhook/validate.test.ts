import { ValidationError } from '../errors';
import { webhook } from '../testing/fixtures';
import { dedupeKey, parseWebhook } from './validate';

function fieldOf(body: unknown): string {
  try {
    parseWebhook(body);
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  throw new Error('no error');
}

describe('webhook validation', () => {
  it('accepts an Alertmanager v4 body and ignores unknown fields', () => {
    const body = { ...webhook([{}]), notification_reason: 'x', routeLabels: {} };
    const p = parseWebhook(body);
    expect(p.alerts[0]).toMatchObject({
      status: 'firing',
      fingerprint: 'fp-core',
      labels: { okome_backend: 'CORE' },
    });
  });

  it('names the missing or ill-typed field', () => {
    const good = webhook([{}]);
    const alert = good.alerts[0] as unknown as Record<string, unknown>;
    expect(fieldOf(null)).toBe('body');
    expect(fieldOf([])).toBe('body');
    expect(fieldOf({ ...good, version: '3' })).toBe('version');
    expect(fieldOf({ ...good, groupKey: undefined })).toBe('groupKey');
    expect(fieldOf({ ...good, status: 'pending' })).toBe('status');
    expect(fieldOf({ ...good, alerts: {} })).toBe('alerts');
    expect(fieldOf({ ...good, alerts: [{ ...alert, fingerprint: 7 }] })).toBe(
      'alerts[0].fingerprint',
    );
    expect(fieldOf({ ...good, alerts: [{ ...alert, labels: { a: 1 } }] })).toBe(
      'alerts[0].labels.a',
    );
    expect(fieldOf({ ...good, alerts: [alert, { ...alert, status: undefined }] })).toBe(
      'alerts[1].status',
    );
    expect(fieldOf({ ...good, alerts: [{ ...alert, startsAt: undefined }] })).toBe(
      'alerts[0].startsAt',
    );
  });

  it('keys a notification by group, fingerprint, start and status', () => {
    const p = parseWebhook(webhook([{}, { status: 'resolved' }]));
    const [a, b] = p.alerts;
    expect(dedupeKey(p.groupKey, a!)).not.toBe(dedupeKey(p.groupKey, b!));
    expect(dedupeKey(p.groupKey, a!)).toBe(
      dedupeKey(p.groupKey, { ...a!, annotations: { other: 'x' } }),
    );
  });
});
