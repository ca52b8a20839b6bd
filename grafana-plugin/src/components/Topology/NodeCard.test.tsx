import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';
import type { TopologyNode } from '../../api/controllerTypes';
import { NodeCard } from './NodeCard';

const core: TopologyNode = {
  id: 'CORE',
  hostname: 'okome-core',
  roles: ['gpu-core'],
  health: 'UNAVAILABLE',
  reasons: ['all 2 scrape target(s) down'],
  services: [],
  gpus: [],
  firingAlerts: [],
};

describe('NodeCard', () => {
  it('shows health, GPU memory against budget and the engine numbers', () => {
    const onSelect = jest.fn();
    render(
      <NodeCard
        node={core}
        onSelect={onSelect}
        metrics={{
          gpu: [{ engine: 'vllm', usedBytes: 38 * 1024 ** 3, budgetBytes: 40 * 1024 ** 3 }],
          tokensPerSecond: 48.04,
          ttftP95: 0.182,
        }}
      />,
    );
    expect(screen.getByTestId('okome-topology-node-health-CORE').textContent).toContain(
      'UNAVAILABLE',
    );
    const card = screen.getByTestId('okome-topology-node-CORE');
    expect(card.textContent).toContain('38 GiB / 40 GiB');
    expect(card.textContent).toContain('48.0');
    expect(card.textContent).toContain('182 ms');
    expect(card.textContent).toContain('all 2 scrape target(s) down');
    fireEvent.click(card);
    expect(onSelect).toHaveBeenCalledWith('CORE');
  });

  it('says when an engine node has no GPU memory series', () => {
    render(<NodeCard node={{ ...core, health: 'HEALTHY', reasons: [] }} />);
    expect(screen.getByText('no GPU memory series')).toBeTruthy();
    expect(screen.getByTestId('okome-topology-node-CORE').textContent).toContain('—');
  });
});
