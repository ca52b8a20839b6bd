// The Redis collector's options, one struct like redis_exporter's Options; flags map onto it
// 1:1 (--redis.addr, --redis.user, --redis.password-file, --check-keys, TLS flags, ...).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { parseKeyArg, parseKeyGroups, type DbKey } from './keys';
import { loadScripts, type LuaScript } from './script';

export interface RedisOptions {
  addr: string;
  user?: string;
  password?: string;
  /** URI → password, from --redis.password-file (a JSON object, as redis_exporter). */
  passwordMap: Record<string, string>;
  /** --redis.password-file, re-read by /-/reload. */
  passwordFile?: string;
  /** --is-cluster: key checks go to the master owning each key's slot (cluster.ts). */
  isCluster: boolean;
  /** /discover-cluster-nodes answers with announced hostnames instead of IPs. */
  clusterDiscoverHostnames: boolean;
  /** --is-tile38: also read Tile38's SERVER EXT (tile38.ts). */
  isTile38: boolean;
  namespace: string;
  connectionTimeoutMs: number;
  checkKeys: DbKey[];
  checkSingleKeys: DbKey[];
  countKeys: DbKey[];
  checkStreams: DbKey[];
  checkSingleStreams: DbKey[];
  /** --script files, read once at start. */
  scripts: LuaScript[];
  checkKeyGroups: string[];
  checkKeysBatchSize: number;
  maxDistinctKeyGroups: number;
  /** OKOME bound: a SCAN walk stops after this many keys (redis_exporter has none). */
  maxScanKeys: number;
  configCommand: string;
  inclConfigMetrics: boolean;
  redactConfigMetrics: boolean;
  inclSystemMetrics: boolean;
  inclEmptyDatabases: boolean;
  excludeLatencyHistogram: boolean;
  exportClientList: boolean;
  exportClientPort: boolean;
  pingOnConnect: boolean;
  setClientName: boolean;
  disableKeyValues: boolean;
  /** --include-modules-metrics: INFO MODULES → redis_module_info, redis_search_* (modules.ts). */
  inclModulesMetrics: boolean;
  /** --include-search-indexes-metrics: FT.INFO per index (search-indexes.ts). */
  inclSearchIndexesMetrics: boolean;
  /** --check-search-indexes: which indexes, by name (unanchored, as Go's MatchString). */
  checkSearchIndexes: RegExp;
  tls: {
    clientCertFile?: string;
    clientKeyFile?: string;
    caCertFile?: string;
    serverName?: string;
    skipVerify: boolean;
  };
}

export const DEFAULT_REDIS_OPTIONS: RedisOptions = {
  addr: 'redis://localhost:6379',
  passwordMap: {},
  isCluster: false,
  clusterDiscoverHostnames: false,
  isTile38: false,
  namespace: 'redis',
  connectionTimeoutMs: 15_000,
  checkKeys: [],
  checkSingleKeys: [],
  countKeys: [],
  checkStreams: [],
  checkSingleStreams: [],
  scripts: [],
  checkKeyGroups: [],
  checkKeysBatchSize: 1000,
  maxDistinctKeyGroups: 100,
  maxScanKeys: 100_000,
  configCommand: 'CONFIG',
  inclConfigMetrics: false,
  redactConfigMetrics: true,
  inclSystemMetrics: false,
  inclEmptyDatabases: true,
  excludeLatencyHistogram: false,
  exportClientList: false,
  exportClientPort: false,
  pingOnConnect: false,
  setClientName: true,
  disableKeyValues: false,
  inclModulesMetrics: false,
  inclSearchIndexesMetrics: false,
  checkSearchIndexes: /.*/,
  tls: { skipVerify: false },
};

/** Reads a redis_exporter password file: `{"redis://host:6379": "secret", ...}`. */
export function loadPasswordFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--redis.password-file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`--redis.password-file ${file}: not JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`--redis.password-file ${file}: expected an object of URI → password`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string')
      throw new Error(`--redis.password-file ${file}: password for "${k}" is not a string`);
    out[k] = v;
  }
  return out;
}

export function tlsOptions(o: RedisOptions): ConnectionOptions {
  const t: ConnectionOptions = { rejectUnauthorized: !o.tls.skipVerify };
  if (o.tls.caCertFile) t.ca = readFileSync(o.tls.caCertFile);
  if (o.tls.clientCertFile) t.cert = readFileSync(o.tls.clientCertFile);
  if (o.tls.clientKeyFile) t.key = readFileSync(o.tls.clientKeyFile);
  if (o.tls.serverName) t.servername = o.tls.serverName;
  return t;
}

/** Raw flag values (strings) as the CLI or the /scrape query give them. */
export interface RedisFlagValues {
  'redis.addr'?: string;
  'redis.user'?: string;
  'redis.password'?: string;
  'redis.password-file'?: string;
  namespace?: string;
  'connection-timeout'?: string;
  'check-keys'?: string;
  'check-single-keys'?: string;
  'count-keys'?: string;
  'check-streams'?: string;
  'check-single-streams'?: string;
  script?: string;
  'check-key-groups'?: string;
  'check-keys-batch-size'?: string;
  'max-distinct-key-groups'?: string;
  'check-keys-max-scan'?: string;
  'config-command'?: string;
  'include-config-metrics'?: boolean;
  'include-system-metrics'?: boolean;
  'exclude-latency-histogram-metrics'?: boolean;
  'export-client-list'?: boolean;
  'export-client-port'?: boolean;
  'ping-on-connect'?: boolean;
  'set-client-name'?: boolean;
  'tls-client-key-file'?: string;
  'tls-client-cert-file'?: string;
  'tls-ca-cert-file'?: string;
  'tls-server-name'?: string;
  'skip-tls-verification'?: boolean;
  'is-cluster'?: boolean;
  'cluster-discover-hostnames'?: boolean;
  'include-modules-metrics'?: boolean;
  'include-search-indexes-metrics'?: boolean;
  'check-search-indexes'?: string;
  'is-tile38'?: boolean;
}

/** Go-style durations (15s, 500ms, 1m) → ms. */
export function parseGoDuration(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new Error(`--${flag}: "${v}" is not a duration (e.g. 500ms, 15s, 1m)`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${flag}: "${v}" is not a positive integer`);
  return n;
}

function searchIndexPattern(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch (err) {
    throw new Error(
      `--check-search-indexes: "${v}" is not a regular expression (${(err as Error).message})`,
    );
  }
}

/** Flag values → options; every bad value throws naming its flag. */
export function redisOptionsFromFlags(
  f: RedisFlagValues,
  base = DEFAULT_REDIS_OPTIONS,
): RedisOptions {
  const o: RedisOptions = { ...base, tls: { ...base.tls } };
  if (f['redis.addr'] !== undefined) o.addr = f['redis.addr'];
  if (f['redis.user'] !== undefined) o.user = f['redis.user'];
  if (f['redis.password'] !== undefined) o.password = f['redis.password'];
  if (f['redis.password-file']) {
    o.passwordFile = f['redis.password-file'];
    o.passwordMap = loadPasswordFile(f['redis.password-file']);
  }
  if (f['is-cluster'] !== undefined) o.isCluster = f['is-cluster'];
  if (f['cluster-discover-hostnames'] !== undefined)
    o.clusterDiscoverHostnames = f['cluster-discover-hostnames'];
  if (f['is-tile38'] !== undefined) o.isTile38 = f['is-tile38'];
  if (f.namespace !== undefined) o.namespace = f.namespace;
  if (f['connection-timeout'] !== undefined)
    o.connectionTimeoutMs = parseGoDuration(f['connection-timeout'], 'connection-timeout');
  if (f['check-keys'] !== undefined) o.checkKeys = parseKeyArg(f['check-keys'], '--check-keys');
  if (f['check-single-keys'] !== undefined)
    o.checkSingleKeys = parseKeyArg(f['check-single-keys'], '--check-single-keys');
  if (f['count-keys'] !== undefined) o.countKeys = parseKeyArg(f['count-keys'], '--count-keys');
  if (f['check-streams'] !== undefined)
    o.checkStreams = parseKeyArg(f['check-streams'], '--check-streams');
  if (f['check-single-streams'] !== undefined)
    o.checkSingleStreams = parseKeyArg(f['check-single-streams'], '--check-single-streams');
  if (f.script !== undefined) o.scripts = loadScripts(f.script);
  if (f['check-key-groups'] !== undefined) o.checkKeyGroups = parseKeyGroups(f['check-key-groups']);
  if (f['check-keys-batch-size'] !== undefined)
    o.checkKeysBatchSize = positiveInt(f['check-keys-batch-size'], 'check-keys-batch-size');
  if (f['max-distinct-key-groups'] !== undefined)
    o.maxDistinctKeyGroups = positiveInt(f['max-distinct-key-groups'], 'max-distinct-key-groups');
  if (f['check-keys-max-scan'] !== undefined)
    o.maxScanKeys = positiveInt(f['check-keys-max-scan'], 'check-keys-max-scan');
  if (f['config-command'] !== undefined) o.configCommand = f['config-command'];
  if (f['include-config-metrics'] !== undefined) o.inclConfigMetrics = f['include-config-metrics'];
  if (f['include-system-metrics'] !== undefined) o.inclSystemMetrics = f['include-system-metrics'];
  if (f['exclude-latency-histogram-metrics'] !== undefined)
    o.excludeLatencyHistogram = f['exclude-latency-histogram-metrics'];
  if (f['export-client-list'] !== undefined) o.exportClientList = f['export-client-list'];
  if (f['export-client-port'] !== undefined) o.exportClientPort = f['export-client-port'];
  if (f['ping-on-connect'] !== undefined) o.pingOnConnect = f['ping-on-connect'];
  if (f['set-client-name'] !== undefined) o.setClientName = f['set-client-name'];
  if (f['tls-client-key-file'] !== undefined) o.tls.clientKeyFile = f['tls-client-key-file'];
  if (f['tls-client-cert-file'] !== undefined) o.tls.clientCertFile = f['tls-client-cert-file'];
  if (f['tls-ca-cert-file'] !== undefined) o.tls.caCertFile = f['tls-ca-cert-file'];
  if (f['tls-server-name'] !== undefined) o.tls.serverName = f['tls-server-name'];
  if (f['skip-tls-verification'] !== undefined) o.tls.skipVerify = f['skip-tls-verification'];
  if (f['include-modules-metrics'] !== undefined)
    o.inclModulesMetrics = f['include-modules-metrics'];
  if (f['include-search-indexes-metrics'] !== undefined)
    o.inclSearchIndexesMetrics = f['include-search-indexes-metrics'];
  if (f['check-search-indexes'] !== undefined)
    o.checkSearchIndexes = searchIndexPattern(f['check-search-indexes']);
  return o;
}
