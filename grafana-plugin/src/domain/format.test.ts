import {
  formatBudgetLeft,
  formatBurnRate,
  formatBytes,
  formatLatency,
  formatObjective,
  formatPercent,
  formatSince,
  formatSpan,
  formatTokensPerSecond,
  NO_VALUE,
} from './format';

describe('formatLatency', () => {
  it.each([
    [0.00042, '420 µs'],
    [0.0018, '1.80 ms'],
    [0.0421, '42.1 ms'],
    [0.43, '430 ms'],
    [2.4, '2.40 s'],
    [200, '3m 20s'],
    [0, '0 ms'],
  ])('%s s reads as %s', (s, text) => expect(formatLatency(s)).toBe(text));

  it('shows a dash for missing, negative and non-finite values', () => {
    for (const v of [undefined, null, NaN, Infinity, -1]) expect(formatLatency(v)).toBe(NO_VALUE);
  });
});

describe('formatSpan', () => {
  it.each([
    [0.5, '< 1s'],
    [59, '59s'],
    [3600, '1h'],
    [3660, '1h 1m'],
    [86400 * 2 + 3600 * 4 + 60, '2d 4h'],
    [86400 * 28, '28d'],
  ])('%s s reads as %s', (s, text) => expect(formatSpan(s)).toBe(text));
});

describe('percentages and budgets', () => {
  it('drops trailing zeros and keeps what matters', () => {
    expect(formatPercent(0.99)).toBe('99%');
    expect(formatPercent(0.9995)).toBe('99.95%');
    expect(formatPercent(0.12345)).toBe('12.35%');
    expect(formatObjective(99.5)).toBe('99.5%');
    expect(formatObjective(99.95)).toBe('99.95%');
    expect(formatPercent(Number.NaN)).toBe(NO_VALUE);
    expect(formatPercent(0.0004, 1)).toBe('< 0.1%');
    expect(formatPercent(0, 1)).toBe('0%');
  });

  it('formats burn rates as multiples', () => {
    expect(formatBurnRate(14.4)).toBe('14×');
    expect(formatBurnRate(1)).toBe('1.00×');
    expect(formatBurnRate(0)).toBe('0×');
    expect(formatBurnRate(0.001)).toBe('< 0.01×');
  });
});

describe('capacity and throughput', () => {
  it('formats GPU memory and token rates', () => {
    expect(formatBytes(40 * 1024 ** 3)).toBe('40 GiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MiB');
    expect(formatTokensPerSecond(48.04)).toBe('48.0 tok/s');
    expect(formatTokensPerSecond(160.4)).toBe('160 tok/s');
  });

  it('says how long ago a routing change happened', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(formatSince('2026-01-01T00:07:00Z', now)).toBe('3m ago');
    expect(formatSince('2026-01-01T00:09:58Z', now)).toBe('just now');
    expect(formatSince('garbage', now)).toBe(NO_VALUE);
  });
});

describe('formatBudgetLeft', () => {
  it('reads a spent budget as 0% and says how far past it', () => {
    expect(formatBudgetLeft(0.42)).toEqual({ left: '42%' });
    expect(formatBudgetLeft(-48.236)).toEqual({ left: '0%', overspent: 'spent 49× the budget' });
    expect(formatBudgetLeft(-0.5)).toEqual({ left: '0%', overspent: 'spent 1.5× the budget' });
    expect(formatBudgetLeft(undefined)).toEqual({ left: NO_VALUE });
  });
});
