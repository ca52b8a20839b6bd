// Redis edge cache (NODE-03..06 on OKOME): redis_exporter's series names, so the same dashboard
// works with okome-exporter's redis collector and with an oliver006/redis_exporter.
import type { Dashboard } from '@grafana/schema';
import { CN, dashboard, row, stat, steps, timeseries, UP_DOWN } from '../builder';

const R = '$__rate_interval';
const by = 'sum by (node)';

export function redisEdgeCache(): Dashboard {
  const hits = `${by} (rate(redis_keyspace_hits_total{${CN}}[${R}]))`;
  const misses = `${by} (rate(redis_keyspace_misses_total{${CN}}[${R}]))`;
  return dashboard({
    uid: 'okome-redis-edge-cache',
    title: 'OKOME / Redis edge cache',
    description:
      'Edge cache health: hit ratio, operations, command latency, memory, evictions and replication, from redis_exporter-compatible series (okome-exporter redis collector or redis_exporter).',
    tags: ['redis', 'cache'],
    items: [
      row('Cache'),
      stat({
        title: 'Redis up',
        description: 'redis_up per node: 0 when the exporter cannot reach its Redis.',
        unit: 'none',
        w: 8,
        h: 5,
        mappings: UP_DOWN,
        thresholds: steps('red', [1, 'green']),
        options: { graphMode: 'none', textMode: 'value_and_name' },
        queries: [
          {
            expr: `min by (node) (redis_up{${CN}})`,
            legend: '{{node}}',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      stat({
        title: 'Cache hit ratio',
        description:
          'Keyspace hits over lookups, all selected nodes. A falling ratio sends more requests down to the engines.',
        unit: 'percentunit',
        w: 4,
        h: 5,
        decimals: 1,
        thresholds: steps('red', [0.5, 'orange'], [0.8, 'green']),
        queries: [
          {
            expr: `sum(rate(redis_keyspace_hits_total{${CN}}[${R}])) / (sum(rate(redis_keyspace_hits_total{${CN}}[${R}])) + sum(rate(redis_keyspace_misses_total{${CN}}[${R}])))`,
            legend: 'hit ratio',
          },
        ],
      }),
      stat({
        title: 'Connected clients',
        description: 'Client connections across the selected cache nodes.',
        unit: 'none',
        w: 4,
        h: 5,
        thresholds: steps('blue'),
        queries: [{ expr: `sum(redis_connected_clients{${CN}})`, legend: 'clients' }],
      }),
      stat({
        title: 'Keys',
        description: 'Keys in all databases of the selected cache nodes.',
        unit: 'short',
        w: 4,
        h: 5,
        thresholds: steps('blue'),
        queries: [{ expr: `sum(redis_db_keys{${CN}})`, legend: 'keys' }],
      }),
      stat({
        title: 'Replicas connected',
        description:
          'Replicas attached to the selected nodes (redis_connected_slaves). 0 on standalone edge caches.',
        unit: 'none',
        w: 4,
        h: 5,
        thresholds: steps('blue'),
        queries: [{ expr: `sum(redis_connected_slaves{${CN}})`, legend: 'replicas' }],
      }),
      timeseries({
        title: 'Hit ratio per node',
        description: 'Keyspace hits over lookups on each cache node.',
        unit: 'percentunit',
        w: 12,
        h: 8,
        min: 0,
        max: 1,
        thresholds: steps('red', [0.5, 'orange'], [0.8, 'green']),
        queries: [{ expr: `${hits} / (${hits} + ${misses})`, legend: '{{node}}' }],
      }),
      timeseries({
        title: 'Operations per second',
        description: 'Commands processed per second on each cache node.',
        unit: 'ops',
        w: 12,
        h: 8,
        queries: [
          { expr: `${by} (rate(redis_commands_processed_total{${CN}}[${R}]))`, legend: '{{node}}' },
        ],
      }),
      timeseries({
        title: 'Command latency (mean per command)',
        description:
          'Mean time Redis spent executing each command (commandstats usec / calls). Redis-side only; the network adds to it. The cache hop budget covers both.',
        unit: 's',
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (node, cmd) (rate(redis_commands_duration_seconds_total{${CN}}[${R}])) / sum by (node, cmd) (rate(redis_commands_total{${CN}}[${R}]))`,
            legend: '{{node}} {{cmd}}',
          },
        ],
      }),
      timeseries({
        title: 'Hits and misses',
        description: 'Keyspace hits and misses per second.',
        unit: 'ops',
        w: 12,
        h: 8,
        queries: [
          { expr: hits, legend: '{{node}} hits' },
          { expr: misses, legend: '{{node}} misses' },
        ],
      }),
      row('Memory and replication'),
      timeseries({
        title: 'Memory used',
        description:
          'redis_memory_used_bytes per node; the maxmemory limit is redis_memory_max_bytes (0 = unlimited).',
        unit: 'bytes',
        w: 8,
        h: 8,
        min: 0,
        queries: [{ expr: `${by} (redis_memory_used_bytes{${CN}})`, legend: '{{node}}' }],
      }),
      timeseries({
        title: 'Evictions and expirations',
        description:
          'Keys evicted for memory (evictions mean the cache is too small) and keys expired by TTL.',
        unit: 'ops',
        w: 8,
        h: 8,
        queries: [
          {
            expr: `${by} (rate(redis_evicted_keys_total{${CN}}[${R}]))`,
            legend: '{{node}} evicted',
          },
          {
            expr: `${by} (rate(redis_expired_keys_total{${CN}}[${R}]))`,
            legend: '{{node}} expired',
          },
        ],
      }),
      timeseries({
        title: 'Replication offset',
        description:
          'master_repl_offset per node: replicas that stop following show as a flat line while the master moves on.',
        unit: 'bytes',
        w: 8,
        h: 8,
        queries: [{ expr: `${by} (redis_master_repl_offset{${CN}})`, legend: '{{node}}' }],
      }),
    ],
  });
}
