import { planWindows } from './windows';

describe('planWindows', () => {
  it('gives the Workbook windows for the default 28d period', () => {
    const plan = planWindows('28d');
    expect(plan.tiers.map((t) => [t.severity, t.factor, t.long.range, t.short.range])).toEqual([
      ['page', 14.4, '1h', '5m'],
      ['page', 6, '6h', '30m'],
      ['ticket', 3, '1d', '2h'],
      ['ticket', 1, '3d', '6h'],
    ]);
    expect(plan.all.map((w) => w.nominal)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '28d',
    ]);
  });

  it('stretches windows with the period so each tier spends the same share of budget', () => {
    const plan = planWindows('30d');
    expect(plan.tiers[0]?.long.nominal).toBe('1h4m');
    expect(plan.tiers[3]?.long.nominal).toBe('3d5h9m');
    expect(planWindows('7d').tiers[0]?.long.nominal).toBe('15m');
  });

  it('divides ranges by the time scale but keeps nominal names, with a floor for rate()', () => {
    const plan = planWindows('28d', 60);
    const page = plan.tiers[0]!;
    expect([page.long.nominal, page.long.range, page.short.nominal, page.short.range]).toEqual([
      '1h',
      '1m',
      '5m',
      '5s',
    ]);
    expect(plan.period.range).toBe('11h12m');
    expect(planWindows('28d', 600).tiers[0]?.short.range).toBe('5s');
  });

  it('refuses a period that is not a duration', () => {
    expect(() => planWindows('a month')).toThrow('not a duration: a month');
  });
});
