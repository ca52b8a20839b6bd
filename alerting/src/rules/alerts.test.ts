import type { Slo } from '../model';
import { planWindows } from '../windows';
import { burnAlerts, minEventsFor } from './alerts';
import { humanize } from './promtool-tests';

const slo = (objective: number, minEvents?: number): Slo => ({
  name: 'a',
  cluster: 'c',
  service: 's',
  objective,
  period: '28d',
  sli: {
    kind: 'events',
    bad: { metric: 'b_total', matchers: [] },
    total: { metric: 't_total', matchers: [] },
  },
  labels: {},
  runbookUrl: 'https://r/a',
  alerting: { pageLabels: {}, ticketLabels: {}, missingData: true, minEvents },
});

describe('minimum-events guard', () => {
  const tiers = planWindows('28d').tiers;
  it('defaults to the count at which one failure alone stays under the threshold', () => {
    expect(tiers.map((t) => minEventsFor(slo(99.9), t))).toEqual([70, 167, 334, 1000]);
    expect(minEventsFor(slo(99.5), tiers[0]!)).toBe(14);
  });

  it('takes the spec value, and 0 removes the guard from the expression', () => {
    expect(minEventsFor(slo(99.9, 5), tiers[3]!)).toBe(5);
    const [fast] = burnAlerts(slo(99.9, 0), planWindows('28d'), 1);
    expect(fast?.expr).not.toContain('slo:sli_events');
    expect(burnAlerts(slo(99.9), planWindows('28d'), 1)[0]?.expr).toContain(
      'slo:sli_events:increase1h{cluster="c",slo="a"} >= 70',
    );
  });
});

describe('burn alert text', () => {
  it('says how fast the budget goes', () => {
    const [fast] = burnAlerts(slo(99.9), planWindows('28d'), 1);
    expect(fast?.annotations?.summary).toBe(
      'a: error budget burning ≥14.4× over 1h and 5m — 2.1% of the 28d budget gone, all of it in 1.9 days at this rate.',
    );
    expect(fast?.labels).toMatchObject({
      severity: 'page',
      long: '1h',
      short: '5m',
      exhaustion: '1d22h40m',
    });
  });

  it('renders values as Go templates humanize them', () => {
    expect([humanize(15.120000000000001), humanize(6.3), humanize(1000), humanize(14.4)]).toEqual([
      '15.12',
      '6.3',
      '1k',
      '14.4',
    ]);
  });
});
