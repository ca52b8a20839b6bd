// Steady-state probes: one PromQL query each, judged against its tolerance. Several series are
// judged by the worst one (lowest against a floor, highest against a ceiling).
import type { Inventory } from '@okome/provisioning';
import { fill } from './plan';
import type { MetricsPort } from './ports';
import type { ProbeSpec } from './types';

export interface ProbeReading {
  name: string;
  value: number | null;
  ok: boolean;
  /** Set when Prometheus could not be asked. */
  error?: string;
}

export function judge(spec: ProbeSpec, values: number[]): { value: number | null; ok: boolean } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return { value: null, ok: spec.noData === 'pass' };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const value = spec.min !== undefined ? lo : hi;
  const ok =
    (spec.min === undefined || lo >= spec.min) && (spec.max === undefined || hi <= spec.max);
  return { value, ok };
}

export async function readProbe(
  metrics: MetricsPort,
  inv: Inventory,
  spec: ProbeSpec,
  target: string,
): Promise<ProbeReading> {
  try {
    const samples = await metrics.query(fill(spec.query, inv, target));
    return {
      name: spec.name,
      ...judge(
        spec,
        samples.map((s) => s.value),
      ),
    };
  } catch (err) {
    return { name: spec.name, value: null, ok: false, error: (err as Error).message };
  }
}

/** One number from a query (the first series), or null for no data; throws when unreachable. */
export async function scalar(metrics: MetricsPort, promql: string): Promise<number | null> {
  const samples = await metrics.query(promql);
  const v = samples.map((s) => s.value).find((x) => Number.isFinite(x));
  return v ?? null;
}
