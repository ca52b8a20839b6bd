// The redis collector as the exporter core sees it: flags named as redis_exporter's, /metrics
// text from the fixed target, and the multi-target /scrape route.
import type { ServerResponse } from 'node:http';
import type { Inventory, InventoryNode } from '@okome/provisioning';
import type { Collector, CollectorDefinition } from '../../core/collector';
import { FlagError, type FlagSpec, type FlagValue, type Options } from '../../core/flags';
import { scrapeDeadlineMs } from '../../http/server';
import { RedisExporter, type ScrapeResponse } from './exporter';
import { redisOptionsFromFlags, type RedisFlagValues } from './options';

const STRING_FLAGS = [
  [
    'redis.addr',
    'Address of the Redis instance to scrape (redis://, rediss://, unix://).',
    'redis://localhost:6379',
  ],
  ['redis.user', 'User name for Redis ACL (Redis 6+).', undefined],
  ['redis.password', 'Password of the Redis instance (prefer --redis.password-file).', undefined],
  [
    'redis.password-file',
    'JSON file of URI → password, as redis_exporter (also used by /scrape).',
    undefined,
  ],
  ['namespace', 'Namespace (prefix) of the Redis metrics.', 'redis'],
  ['connection-timeout', 'Connect and per-command timeout, Go duration (15s).', '15s'],
  [
    'check-keys',
    'Comma-separated [dbN=]key patterns to export size/value for, found with SCAN.',
    undefined,
  ],
  ['check-single-keys', 'Comma-separated [dbN=]keys to export size/value for.', undefined],
  ['count-keys', 'Comma-separated [dbN=]patterns to count with SCAN.', undefined],
  [
    'check-streams',
    'Comma-separated [dbN=]stream patterns (SCAN) to export streams, groups and consumers of.',
    undefined,
  ],
  [
    'check-single-streams',
    'Comma-separated [dbN=]streams to export groups and consumers of.',
    undefined,
  ],
  [
    'script',
    'Comma-separated Lua files run with EVAL each scrape (redis_script_values).',
    undefined,
  ],
  [
    'check-key-groups',
    'Comma-separated Lua patterns grouping keys by capture (count, memory).',
    undefined,
  ],
  ['check-keys-batch-size', 'SCAN COUNT per call.', '1000'],
  ['max-distinct-key-groups', 'Key groups kept per db; the rest is "overflow".', '100'],
  ['check-keys-max-scan', 'OKOME bound: keys one SCAN walk may visit before it stops.', '100000'],
  ['config-command', 'Name of the CONFIG command ("-" skips it).', 'CONFIG'],
  [
    'check-search-indexes',
    'Regex of the search indexes --include-search-indexes-metrics reads with FT.INFO.',
    '.*',
  ],
  ['tls-client-key-file', 'Client key for TLS to Redis.', undefined],
  ['tls-client-cert-file', 'Client certificate for TLS to Redis.', undefined],
  ['tls-ca-cert-file', 'CA certificate to verify Redis.', undefined],
  ['tls-server-name', 'Server name to verify in the Redis certificate.', undefined],
] as const;

const BOOL_FLAGS = [
  ['include-config-metrics', 'Export every CONFIG setting (secrets redacted).', false],
  ['include-system-metrics', 'Export redis_total_system_memory_bytes.', false],
  ['exclude-latency-histogram-metrics', 'Skip LATENCY HISTOGRAM.', false],
  ['export-client-list', 'Export CLIENT LIST as redis_connected_clients_details.', false],
  ['export-client-port', 'Include the client port in the client list.', false],
  ['ping-on-connect', 'PING after connecting and export its time.', false],
  ['set-client-name', 'CLIENT SETNAME redis_exporter.', true],
  ['skip-tls-verification', 'Do not verify the Redis TLS certificate.', false],
  [
    'is-cluster',
    'Redis Cluster: key and stream checks go to the master owning each key (db0 only); enables /discover-cluster-nodes.',
    false,
  ],
  [
    'include-modules-metrics',
    "INFO MODULES: redis_module_info and the modules' fields (redis_search_*, redis_bf_*, redis_json_*).",
    false,
  ],
  [
    'include-search-indexes-metrics',
    'FT._LIST + FT.INFO: redis_search_index_*{index_name} per index.',
    false,
  ],
  [
    'cluster-discover-hostnames',
    'Use announced hostnames instead of IPs in /discover-cluster-nodes.',
    false,
  ],
  ['is-tile38', 'Tile38 target: also export its SERVER EXT stats as redis_tile38_*.', false],
] as const;

export const REDIS_FLAGS: FlagSpec[] = [
  ...STRING_FLAGS.map(([name, help, def]) => ({
    name,
    type: 'string' as const,
    help,
    ...(def !== undefined ? { default: def } : {}),
  })),
  ...BOOL_FLAGS.map(([name, help, def]) => ({ name, type: 'bool' as const, help, default: def })),
];

/** Core options → redis options; bad values throw naming the flag. */
export function redisOptionsFrom(options: Options) {
  const f: Record<string, string | boolean> = {};
  for (const [name] of STRING_FLAGS) {
    const v = options.string(name);
    if (v !== undefined) f[name] = v;
  }
  for (const [name] of BOOL_FLAGS) if (options.has(name)) f[name] = options.bool(name);
  try {
    return redisOptionsFromFlags(f as RedisFlagValues);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

function reply(res: ServerResponse, r: ScrapeResponse): void {
  res.writeHead(r.status, {
    'Content-Type': r.contentType,
    'Content-Length': Buffer.byteLength(r.body),
  });
  res.end(r.body);
}

export const redisCollector: CollectorDefinition = {
  name: 'redis',
  help: 'Redis edge cache, redis_exporter-compatible (/metrics for --redis.addr, /scrape?target= for any, /discover-cluster-nodes with --is-cluster, /-/reload re-reads --redis.password-file)',
  defaultEnabled: false,
  roles: ['cache'],
  flags: REDIS_FLAGS,
  fromInventory(node: InventoryNode, _inv: Inventory): Map<string, FlagValue> | undefined {
    const svc = node.services.find((s) => s.kind === 'redis');
    if (!svc) return undefined;
    return new Map([['redis.addr', `redis://${node.address}:${svc.port}`]]);
  },
  create(options: Options): Collector {
    const exporter = new RedisExporter(redisOptionsFrom(options));
    return {
      name: 'redis',
      async collect() {
        // The Redis text is a source: it carries its own redis_up, as redis_exporter does.
      },
      sources: [
        {
          name: 'redis_exporter',
          render: () => exporter.collect(Date.now() + exporter.options.connectionTimeoutMs),
        },
      ],
      routes: [
        {
          path: '/scrape',
          help: 'redis_exporter multi-target: /scrape?target=redis://host:port',
          async handle(req, res, url) {
            const budget = scrapeDeadlineMs(req, 500) ?? exporter.options.connectionTimeoutMs;
            reply(res, await exporter.scrapeHandler(url.searchParams, Date.now() + budget));
          },
        },
        {
          path: '/discover-cluster-nodes',
          help: 'redis_exporter cluster discovery (--is-cluster): http_sd JSON of redis://node targets',
          async handle(_req, res) {
            reply(res, await exporter.discover());
          },
        },
        {
          // Any method, as redis_exporter's handler.
          path: '/-/reload',
          help: 'Re-read --redis.password-file',
          handle(_req, res) {
            reply(res, exporter.reload());
          },
        },
      ],
      describe: () => [`redis target ${exporter.options.addr.replace(/\/\/[^@/]*@/, '//')}`],
    };
  },
};
