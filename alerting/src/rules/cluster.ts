// Cluster-wide recordings the SLOs and dashboards share: Ollama decode speed per node/model.
// An idle node has no series (not NaN), so a throughput floor is judged only while decoding.
import { RECORD, METRIC, groupName, LABEL } from '../conventions';
import { checked, formatSelector } from '../promql';
import { scaledRange } from '../windows';
import type { RuleGroup } from './types';

export function clusterGroup(cluster: string, timeScale: number): RuleGroup {
  const r = scaledRange(300, timeScale);
  const on = { metric: '', matchers: [{ name: 'cluster', op: '=' as const, value: cluster }] };
  const eval_ = formatSelector({ ...on, metric: METRIC.ollamaEval });
  const dur = formatSelector({ ...on, metric: METRIC.ollamaEvalDurationSum });
  return {
    name: groupName(cluster, 'recordings', timeScale),
    rules: [
      {
        record: RECORD.ollamaTokensPerSecond,
        expr: checked(
          `sum by (cluster, node, model) (rate(${eval_}[${r}]))\n/\n(sum by (cluster, node, model) (rate(${dur}[${r}])) > 0)`,
        ),
        ...(timeScale === 1 ? {} : { labels: { [LABEL.timeScale]: String(timeScale) } }),
      },
    ],
  };
}
