import type { HealthState } from '@okome/provisioning';
import { emptyState } from '../state/types';
import type { ControllerState } from '../state/types';
import { poolOf, testInventory } from '../testing/fixtures';
import {
  checkGuardrails,
  holdDownRule,
  killSwitchRule,
  minHealthyRule,
  rateLimitRule,
  requiredHealthy,
} from './guardrails';
import type { Change, GuardConfig } from './guardrails';

const inventory = testInventory();
const pool = poolOf(inventory);
const config: GuardConfig = {
  holdDownMs: 60_000,
  rateLimitCount: 3,
  rateLimitWindowMs: 600_000,
  minHealthyPercent: 0,
};
const now = 10_000_000;
const ctx = (state: ControllerState, health: Record<string, HealthState> = {}, cfg = config) => ({
  inventory,
  state,
  now,
  config: cfg,
  health: (n: string) => health[n],
});
const drain = (backend: string, automatic = true): Change => ({
  pool,
  backend,
  from: 'enabled',
  to: 'drain',
  automatic,
});
const enable = (backend: string, automatic = true): Change => ({
  pool,
  backend,
  from: 'drain',
  to: 'enabled',
  automatic,
});
const out = (s: ControllerState, backend: string): void => {
  (s.routing.engine ??= {})[backend] = {
    state: 'drain',
    why: '',
    since: '',
    actor: '',
    manual: false,
    holders: [],
  };
};

describe('min-healthy guardrail', () => {
  it('allows draining while enough healthy backends remain', () => {
    expect(minHealthyRule.check(drain('CORE'), ctx(emptyState()))).toBeUndefined();
  });

  it('refuses to remove the last healthy backend and says which remain', () => {
    const s = emptyState();
    out(s, 'NODE-07');
    out(s, 'NODE-08');
    expect(minHealthyRule.check(drain('CORE'), ctx(s))).toMatch(
      /would leave 0 healthy enabled backend\(s\) \[\], minimum is 1/,
    );
  });

  it('does not count backends Prometheus sees as UNAVAILABLE', () => {
    const s = emptyState();
    out(s, 'NODE-08');
    expect(minHealthyRule.check(drain('CORE'), ctx(s, { 'NODE-07': 'UNAVAILABLE' }))).toMatch(
      /minimum is 1/,
    );
    expect(minHealthyRule.check(drain('CORE'), ctx(s, { 'NODE-07': 'DEGRADED' }))).toBeUndefined();
  });

  it('applies the global percent floor on top of the pool minimum', () => {
    expect(requiredHealthy(pool, { ...config, minHealthyPercent: 100 })).toBe(3);
    expect(
      minHealthyRule.check(
        drain('CORE'),
        ctx(emptyState(), {}, { ...config, minHealthyPercent: 67 }),
      ),
    ).toMatch(/minimum is 3/);
  });

  it('never blocks bringing a backend back, or escalating one that is already out', () => {
    const s = emptyState();
    out(s, 'NODE-07');
    out(s, 'NODE-08');
    expect(minHealthyRule.check(enable('NODE-07'), ctx(s))).toBeUndefined();
    expect(
      minHealthyRule.check(
        { pool, backend: 'NODE-07', from: 'drain', to: 'disabled', automatic: true },
        ctx(s),
      ),
    ).toBeUndefined();
  });
});

describe('hold-down guardrail', () => {
  it('refuses to re-add a backend before its hold-down and allows it after', () => {
    const s = emptyState();
    s.removedAt['engine/CORE'] = now - 20_000;
    expect(holdDownRule.check(enable('CORE'), ctx(s))).toMatch(
      /left pool engine 20s ago; hold-down is 1m \(40s left\)/,
    );
    s.removedAt['engine/CORE'] = now - 60_000;
    expect(holdDownRule.check(enable('CORE'), ctx(s))).toBeUndefined();
  });

  it('does not delay taking a backend out', () => {
    const s = emptyState();
    s.removedAt['engine/CORE'] = now - 1000;
    expect(holdDownRule.check(drain('CORE'), ctx(s))).toBeUndefined();
  });
});

describe('rate-limit guardrail', () => {
  it('refuses the change after N changes in the window; older changes do not count', () => {
    const s = emptyState();
    s.changes.engine = [now - 700_000, now - 500_000, now - 100_000];
    expect(rateLimitRule.check(drain('CORE'), ctx(s))).toBeUndefined();
    s.changes.engine.push(now - 1000);
    expect(rateLimitRule.check(drain('CORE'), ctx(s))).toMatch(
      /already changed 3 time\(s\) in the last 10m \(limit 3\)/,
    );
    // The limit never keeps a backend out: bringing one back is paced by the hold-down only.
    expect(rateLimitRule.check(enable('CORE'), ctx(s))).toBeUndefined();
  });
});

describe('kill switch guardrail', () => {
  it('stops automatic actions but lets a human act', () => {
    const s = emptyState();
    s.killSwitch = { enabled: true, since: 't', actor: 'user:sre', reason: 'maintenance window' };
    expect(killSwitchRule.check(drain('CORE'), ctx(s))).toMatch(
      /kill switch is on since t \(maintenance window\)/,
    );
    expect(killSwitchRule.check(drain('CORE', false), ctx(s))).toBeUndefined();
  });
});

describe('checkGuardrails', () => {
  it('reports the first refusing rule by name', () => {
    const s = emptyState();
    s.killSwitch.enabled = true;
    s.changes.engine = [now, now, now];
    expect(checkGuardrails(drain('CORE'), ctx(s))?.rule).toBe('kill-switch');
    expect(checkGuardrails(drain('CORE', false), ctx(s))?.rule).toBe('rate-limit');
  });
});
