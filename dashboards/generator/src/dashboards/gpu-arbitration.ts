// GPU arbitration (seed 000 GPU_RESOURCE_ARBITRATION): memory each engine holds on each GPU
// against its inventory budget, memory nobody accounts for, and the card's own vitals.
import type { Inventory } from '@okome/provisioning';
import type { Dashboard } from '@grafana/schema';
import { CN, dashboard, row, stat, steps, table, timeseries, bargauge, UP_DOWN } from '../builder';

const GPU_LEGEND = '{{node}} {{uuid}}';

export function gpuArbitration(inv: Inventory): Dashboard {
  const budgets = inv.nodes.flatMap((n) =>
    n.gpus.flatMap((g) =>
      g.budgets.map((b) => `${n.id} GPU${g.index} ${b.engine} ${b.memoryMiB} MiB`),
    ),
  );
  return dashboard({
    uid: 'okome-gpu-arbitration',
    title: 'OKOME / GPU arbitration',
    description: `Engine memory per GPU against the inventory budgets${budgets.length ? ` (${budgets.join('; ')})` : ''}, unattributed memory, utilisation, temperature and power.`,
    tags: ['gpu'],
    items: [
      row('Arbitration'),
      stat({
        title: 'GPU collector up',
        description:
          'gpu_arbiter_up: 1 when nvidia-smi/rocm-smi answered and every GPU process could be attributed.',
        unit: 'none',
        w: 6,
        h: 6,
        mappings: UP_DOWN,
        thresholds: steps('red', [1, 'green']),
        options: { graphMode: 'none', textMode: 'value_and_name' },
        queries: [
          {
            expr: `min by (node) (gpu_arbiter_up{${CN}})`,
            legend: '{{node}}',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      bargauge({
        title: 'Engine memory share of budget',
        description:
          "Memory an engine holds over its budget on that GPU (gpu_arbiter_engine_memory_share_ratio). Above 100 % the engine eats into another engine's share: OOM risk.",
        unit: 'percentunit',
        w: 18,
        h: 6,
        min: 0,
        max: 1.2,
        thresholds: steps('green', [0.9, 'orange'], [1, 'red']),
        queries: [
          {
            expr: `gpu_arbiter_engine_memory_share_ratio{${CN}}`,
            legend: '{{node}} {{engine}}',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      timeseries({
        title: 'Engine memory used vs budget',
        description:
          "Memory held by each engine's processes on each GPU (solid) and that engine's budget from the inventory (dashed).",
        unit: 'bytes',
        w: 12,
        h: 8,
        min: 0,
        queries: [
          {
            expr: `gpu_arbiter_engine_memory_used_bytes{${CN}}`,
            legend: '{{node}} {{engine}} used',
          },
          {
            expr: `gpu_arbiter_engine_memory_budget_bytes{${CN}}`,
            legend: '{{node}} {{engine}} budget',
          },
        ],
        overrides: [
          {
            matcher: { id: 'byRegexp', options: '.* budget$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      }),
      timeseries({
        title: 'Unattributed GPU memory',
        description:
          'GPU memory in use that no engine process accounts for: CUDA contexts, leaked or unknown processes. Growth here is memory no budget controls.',
        unit: 'bytes',
        w: 12,
        h: 8,
        min: 0,
        queries: [{ expr: `gpu_arbiter_unattributed_memory_bytes{${CN}}`, legend: GPU_LEGEND }],
      }),
      timeseries({
        title: 'GPU memory used',
        description: 'Used over total memory of each GPU, any vendor.',
        unit: 'percentunit',
        w: 12,
        h: 8,
        min: 0,
        max: 1,
        thresholds: steps('green', [0.9, 'orange'], [0.97, 'red']),
        thresholdStyle: 'dashed',
        queries: [
          {
            expr: `gpu_arbiter_gpu_memory_used_bytes{${CN}} / gpu_arbiter_gpu_memory_total_bytes{${CN}}`,
            legend: GPU_LEGEND,
          },
        ],
      }),
      table({
        title: 'GPU processes',
        description:
          'Compute processes on each GPU and the engine they are attributed to ("unattributed" if none).',
        unit: 'none',
        w: 12,
        h: 8,
        queries: [{ expr: `gpu_arbiter_process_info{${CN}}`, instant: true }],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: {
                Time: true,
                Value: true,
                __name__: true,
                job: true,
                instance: true,
                role: true,
                cluster: true,
              },
              indexByName: { node: 0, uuid: 1, engine: 2, pid: 3, process_name: 4 },
            },
          },
        ],
      }),
      row('Card vitals (nvidia-smi)'),
      timeseries({
        title: 'GPU utilisation',
        description: 'Share of time a kernel was running (nvidia_smi_utilization_gpu_ratio).',
        unit: 'percentunit',
        w: 8,
        h: 8,
        min: 0,
        max: 1,
        queries: [{ expr: `nvidia_smi_utilization_gpu_ratio{${CN}}`, legend: GPU_LEGEND }],
      }),
      timeseries({
        title: 'GPU temperature',
        description: 'Core temperature; most data-centre cards throttle from about 85 °C.',
        unit: 'celsius',
        w: 8,
        h: 8,
        thresholds: steps('green', [80, 'orange'], [88, 'red']),
        thresholdStyle: 'dashed',
        queries: [{ expr: `nvidia_smi_temperature_gpu{${CN}}`, legend: GPU_LEGEND }],
      }),
      timeseries({
        title: 'GPU power',
        description: 'Power draw (solid) against the board power limit (dashed).',
        unit: 'watt',
        w: 8,
        h: 8,
        min: 0,
        queries: [
          { expr: `nvidia_smi_power_draw_watts{${CN}}`, legend: `${GPU_LEGEND} draw` },
          { expr: `nvidia_smi_power_limit_watts{${CN}}`, legend: `${GPU_LEGEND} limit` },
        ],
        overrides: [
          {
            matcher: { id: 'byRegexp', options: '.* limit$' },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
            ],
          },
        ],
      }),
      timeseries({
        title: 'Engine processes per GPU',
        description:
          'Number of processes attributed to each engine; a jump often means a reload or a stuck worker.',
        unit: 'none',
        w: 24,
        h: 6,
        decimals: 0,
        queries: [
          {
            expr: `sum by (node, engine) (gpu_arbiter_engine_processes{${CN}})`,
            legend: '{{node}} {{engine}}',
          },
        ],
      }),
    ],
  });
}
