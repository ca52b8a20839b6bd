// Label sets shared by an SLO's series and alerts, and the matcher that selects them again.
import { LABEL } from '../conventions';
import type { Slo } from '../model';
import { formatLabels } from '../promql';

/** Labels on every series and alert of one SLO. */
export function sloLabels(slo: Slo, timeScale: number): Record<string, string> {
  const out: Record<string, string> = {
    ...slo.labels,
    [LABEL.cluster]: slo.cluster,
    [LABEL.slo]: slo.name,
    [LABEL.service]: slo.service,
  };
  if (slo.hop) out[LABEL.hop] = slo.hop;
  if (timeScale !== 1) out[LABEL.timeScale] = String(timeScale);
  return out;
}

/** `{cluster="…",slo="…"}`: selects this SLO's recorded series. */
export function sloMatcher(slo: Slo): string {
  return formatLabels({ [LABEL.cluster]: slo.cluster, [LABEL.slo]: slo.name });
}
