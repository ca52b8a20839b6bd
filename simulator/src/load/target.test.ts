import { loadInventory, resolveInventoryPath, TAP_PORT_OFFSET } from '@okome/provisioning';
import { planSimulation } from '../cluster/plan';
import { ingressTarget } from './target';

const okome = loadInventory(resolveInventoryPath('okome'));

describe('ingress target and the exporters taps', () => {
  it('keeps the inventory taps only when exporters run beside the simulator (--taps)', () => {
    expect(okome.observability.taps).toBe(true);
    expect(planSimulation(okome, '/tmp/x', false).derived.observability.taps).toBe(false);
    expect(planSimulation(okome, '/tmp/x', false, { taps: true }).derived.observability.taps).toBe(
      true,
    );
  });

  it('enters through the ingress tap (nginx port + TAP_PORT_OFFSET) when taps are on', () => {
    const derived = planSimulation(okome, '/tmp/x', false, { taps: true }).derived;
    const t = ingressTarget(derived);
    expect(t.urls).toEqual([
      `http://127.0.86.41:${8080 + TAP_PORT_OFFSET}`,
      `http://127.0.86.42:${8080 + TAP_PORT_OFFSET}`,
    ]);
    expect(t.description).toContain('via the ingress taps');
  });

  it('goes to the pool port itself without taps', () => {
    const derived = planSimulation(okome, '/tmp/x', false).derived;
    expect(ingressTarget(derived).urls).toEqual([
      'http://127.0.86.41:8080',
      'http://127.0.86.42:8080',
    ]);
    // A source inventory is planned as a simulator alone runs it: no exporters, no taps.
    expect(ingressTarget(okome).urls).toEqual([
      'http://127.0.86.41:8080',
      'http://127.0.86.42:8080',
    ]);
  });
});
