import { render, screen } from '@testing-library/react';
import React from 'react';
import { ApiError } from '../../api/errors';
import { EmptyState, ErrorState } from './StateViews';

describe('state views', () => {
  it('shows what is down and the detail from the upstream', () => {
    render(
      <ErrorState
        title="Topology unavailable"
        error={
          new ApiError('controller', 502, 'okome-controller is unreachable (502)', 'ECONNREFUSED')
        }
        stale
      />,
    );
    expect(screen.getByText('Topology unavailable')).toBeTruthy();
    expect(screen.getByText('okome-controller is unreachable (502)')).toBeTruthy();
    expect(screen.getByText('ECONNREFUSED')).toBeTruthy();
    expect(screen.getByText('Showing the last data received before the error.')).toBeTruthy();
  });

  it('says there is no data instead of drawing zeros', () => {
    render(
      <EmptyState title="No token-latency series in this time range">widen the range</EmptyState>,
    );
    expect(screen.getByTestId('okome-state-empty').textContent).toContain(
      'No token-latency series',
    );
  });
});
