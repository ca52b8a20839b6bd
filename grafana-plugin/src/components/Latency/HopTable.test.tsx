import { render, screen, within } from '@testing-library/react';
import React from 'react';
import { HOP_ROWS } from '../../domain/queries';
import type { HopLatencyRow } from '../../domain/latency';
import { HopTable } from './HopTable';

const def = (id: string) => HOP_ROWS.find((r) => r.id === id)!;

function rowText(id: string): string {
  const cell = screen.getByTestId(`okome-latency-hop-${id}`);
  return (cell.closest('tr')?.textContent ?? '').replace(/\s+/g, ' ');
}

describe('HopTable', () => {
  const rows: HopLatencyRow[] = [
    {
      def: def('ingress'),
      p50: 0.0009,
      p95: 0.0041,
      p99: 0.0062,
      share: 0.0004,
      budget: {
        hop: 'ingress',
        signal: 'added',
        thresholdSeconds: 0.005,
        quantile: 0.99,
        objective: 99,
      },
      withinBudget: false,
      slo: {
        name: 'okome-ingress-latency',
        objective: 0.99,
        burnRates: [{ window: '1h', windowSeconds: 3600, value: 2.5 }],
        remaining: 0.42,
        timeToExhaustionSeconds: 3 * 3600 + 20 * 60,
        firing: [{ slo: 'okome-ingress-latency', severity: 'page', long: '1h', short: '5m' }],
      },
      hasData: true,
    },
    { def: def('gateway'), hasData: false },
  ];

  it('formats latencies, budget, burn and time to exhaustion', () => {
    render(<HopTable rows={rows} />);
    const text = rowText('ingress');
    expect(text).toContain('< 5.00 ms');
    expect(text).toContain('900 µs');
    expect(text).toContain('4.10 ms');
    expect(text).toContain('6.20 ms');
    expect(text).toContain('< 0.1%');
    expect(text).toContain('99%');
    expect(text).toContain('1h 2.50×');
    expect(text).toContain('42%');
    expect(text).toContain('empty in 3h 20m');
    expect(text).toContain('page 1h');
  });

  it('says a hop has no data and shows dashes, not zeros', () => {
    render(<HopTable rows={rows} />);
    const text = rowText('gateway');
    expect(text).toContain('no data in this range');
    expect(text).toContain('none set');
    expect(text).not.toMatch(/\d+(\.\d+)? (µs|ms|s)/);
    const cells = within(
      screen.getByTestId('okome-latency-hop-gateway').closest('tr')!,
    ).getAllByText('—');
    expect(cells.length).toBeGreaterThanOrEqual(3);
  });
});
