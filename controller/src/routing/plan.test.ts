import { emptyState } from '../state/types';
import type { ControllerState } from '../state/types';
import { testInventory, webhook } from '../testing/fixtures';
import { parseWebhook } from '../webhook/validate';
import { plan } from './plan';

const inventory = testInventory();
const ctx = (state: ControllerState = emptyState()) => ({
  inventory,
  state,
  now: 1_000_000,
  holdDownMs: 60_000,
});
const planOne = (alert: Parameters<typeof webhook>[0][number], state?: ControllerState) =>
  plan(parseWebhook(webhook([alert])), ctx(state))[0];

function drained(by: string[], manual = false): ControllerState {
  const s = emptyState();
  s.routing.engine = {
    CORE: { state: 'drain', why: 'x', since: '', actor: 'alert:fp-core', manual, holders: by },
  };
  return s;
}

describe('planner', () => {
  it('drains the backend a firing drain alert names', () => {
    expect(planOne({})).toMatchObject({
      kind: 'set',
      pool: 'engine',
      backend: 'CORE',
      from: 'enabled',
      to: 'drain',
    });
  });

  it('maps okome_action=disable to the disabled state, and escalates a drained backend', () => {
    expect(planOne({ labels: { okome_action: 'disable' } })).toMatchObject({
      kind: 'set',
      to: 'disabled',
    });
    expect(planOne({ labels: { okome_action: 'disable' } }, drained(['other']))).toMatchObject({
      kind: 'set',
      from: 'drain',
      to: 'disabled',
    });
  });

  it('only adds a holder when the backend is already out', () => {
    expect(planOne({ fingerprint: 'fp-2' }, drained(['fp-core']))).toMatchObject({
      kind: 'hold',
      backend: 'CORE',
    });
  });

  it('schedules the revert one hold-down after the last holder resolves', () => {
    expect(planOne({ status: 'resolved' }, drained(['fp-core']))).toMatchObject({
      kind: 'release',
      revertAt: 1_060_000,
    });
  });

  it('does not revert while another alert still holds the backend, nor a manual change', () => {
    for (const p of [
      planOne({ status: 'resolved' }, drained(['fp-core', 'fp-2'])),
      planOne({ status: 'resolved' }, drained(['fp-core'], true)),
    ]) {
      expect(p?.kind).toBe('release');
      expect(p).not.toHaveProperty('revertAt');
    }
  });

  it('ignores a resolved alert that never held the backend', () => {
    expect(planOne({ status: 'resolved' })).toMatchObject({ kind: 'skip', duplicate: false });
  });

  it('skips a notification it already processed', () => {
    const s = emptyState();
    const first = planOne({});
    s.processed[first?.key as string] = 1;
    expect(planOne({}, s)).toMatchObject({ kind: 'skip', duplicate: true });
  });

  it('treats a re-fire (new startsAt) as a new event', () => {
    const s = emptyState();
    s.processed[planOne({})?.key as string] = 1;
    expect(planOne({ startsAt: '2026-11-25T11:00:00Z' }, s)).toMatchObject({ kind: 'set' });
  });

  it('ignores alerts without okome_action and names what is wrong with bad routing labels', () => {
    expect(planOne({ labels: { okome_action: undefined as unknown as string } })).toMatchObject({
      kind: 'skip',
    });
    const cases: [Record<string, string>, RegExp][] = [
      [{ okome_action: 'reboot' }, /unknown okome_action "reboot"/],
      [{ okome_pool: 'nope' }, /unknown pool "nope" in okome_pool/],
      [{ okome_backend: 'NODE-05' }, /"NODE-05" in okome_backend is not a backend of pool engine/],
      [{ okome_pool: '' }, /missing label okome_pool/],
    ];
    for (const [labels, re] of cases) {
      const p = planOne({ labels });
      expect(p?.kind).toBe('skip');
      expect(p?.kind === 'skip' && p.invalid).toMatch(re);
    }
  });
});
