// Ollama / engine throughput: tokens per second per node and model, Ollama's own durations,
// loaded models and their VRAM, and queueing (average requests in flight, Little's law).
import type { Inventory } from '@okome/provisioning';
import { LLM_METRICS } from '@okome/exporters';
import type { Dashboard } from '@grafana/schema';
import { CN, dashboard, row, steps, table, timeseries } from '../builder';

const R = '$__rate_interval';

export function engineThroughput(inv: Inventory): Dashboard {
  const floor = inv.slo.throughputFloor;
  const concurrency = Math.max(1, ...inv.models.map((m) => m.concurrency));
  return dashboard({
    uid: 'okome-engine-throughput',
    title: 'OKOME / Ollama and engine throughput',
    description:
      'Tokens per second per node and model, Ollama eval/prompt durations, loaded models and VRAM, and queueing at the engines.',
    tags: ['ollama', 'engine', 'throughput'],
    items: [
      row('Throughput'),
      timeseries({
        title: 'Tokens per second per node and model (engine hop)',
        description: `Generated tokens per second measured by the engine tap (llm_generation_tokens_total{hop="engine"}).${floor ? ` Red below the inventory's throughput floor of ${floor} tok/s.` : ''}`,
        unit: 'short',
        w: 12,
        h: 8,
        min: 0,
        thresholds: floor ? steps('red', [floor, 'green']) : steps('green'),
        thresholdStyle: floor ? 'dashed' : 'off',
        queries: [
          {
            expr: `sum by (node, model) (rate(${LLM_METRICS.generationTokens}{${CN},hop="engine"}[${R}]))`,
            legend: '{{node}} {{model}}',
          },
        ],
      }),
      timeseries({
        title: 'Requests per second per engine',
        description: 'Requests reaching each engine, by engine kind and model.',
        unit: 'reqps',
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (node, engine, model) (rate(${LLM_METRICS.requests}{${CN},hop="engine"}[${R}]))`,
            legend: '{{node}} {{engine}} {{model}}',
          },
        ],
      }),
      timeseries({
        title: 'Time per output token (p50 / p95)',
        description:
          'Decode time per generated token at the engine; the inverse of single-request tokens per second.',
        unit: 's',
        w: 12,
        h: 8,
        queries: [0.5, 0.95].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le, node, model) (rate(${LLM_METRICS.tpot}_bucket{${CN},hop="engine"}[${R}])))`,
          legend: `{{node}} {{model}} p${q * 100}`,
        })),
      }),
      timeseries({
        title: 'Queueing: requests in flight per engine',
        description: `Average requests in flight at each engine node (rate of summed request time, Little's law). Above a model's concurrency (up to ${concurrency} in this inventory) requests queue and first-token latency grows.`,
        unit: 'short',
        w: 12,
        h: 8,
        min: 0,
        thresholds: steps('green', [concurrency, 'orange']),
        thresholdStyle: 'dashed',
        queries: [
          {
            expr: `sum by (node) (rate(${LLM_METRICS.e2e}_sum{${CN},hop="engine"}[${R}]))`,
            legend: '{{node}}',
          },
        ],
      }),
      row('Ollama'),
      timeseries({
        title: 'Ollama tokens per second per model',
        description:
          "Tokens generated per second from Ollama's own eval_count (ollama_eval_total), per node and model.",
        unit: 'short',
        w: 12,
        h: 8,
        min: 0,
        queries: [
          {
            expr: `sum by (node, model) (rate(ollama_eval_total{${CN}}[${R}]))`,
            legend: '{{node}} {{model}}',
          },
        ],
      }),
      timeseries({
        title: 'Ollama eval and prompt durations (p95)',
        description:
          "p95 of eval_duration (decoding) and prompt_eval_duration (prefill) from Ollama's final chunks; load_duration shows cold model loads.",
        unit: 's',
        w: 12,
        h: 8,
        queries: [
          ['eval', 'ollama_eval_duration_seconds'],
          ['prompt eval', 'ollama_prompt_eval_duration_seconds'],
          ['load', 'ollama_load_duration_seconds'],
        ].map(([label, metric]) => ({
          expr: `histogram_quantile(0.95, sum by (le, node, model) (rate(${metric}_bucket{${CN}}[${R}])))`,
          legend: `{{node}} {{model}} ${label}`,
        })),
      }),
      table({
        title: 'Loaded models',
        description:
          'Models Ollama holds in memory now (/api/ps), with their VRAM and size on disk.',
        unit: 'bytes',
        w: 16,
        h: 8,
        queries: [
          { expr: `ollama_model_vram_bytes{${CN}}`, instant: true },
          {
            expr: `ollama_model_size_bytes{${CN}} and on (node, model) (ollama_model_loaded{${CN}} == 1)`,
            instant: true,
          },
        ],
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: {
                Time: true,
                __name__: true,
                job: true,
                instance: true,
                role: true,
                cluster: true,
              },
              indexByName: { node: 0, model: 1, 'Value #A': 2, 'Value #B': 3 },
              renameByName: { 'Value #A': 'VRAM', 'Value #B': 'size on disk' },
            },
          },
        ],
      }),
      timeseries({
        title: 'Ollama up',
        description: 'ollama_up per node: 1 when /api/version, /api/ps and /api/tags answered.',
        unit: 'none',
        w: 8,
        h: 8,
        min: 0,
        max: 1,
        decimals: 0,
        queries: [{ expr: `min by (node) (ollama_up{${CN}})`, legend: '{{node}}' }],
      }),
    ],
  });
}
