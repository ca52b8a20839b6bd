// --is-cluster, as redis_exporter: key-level checks (--check-keys, --check-single-keys,
// --count-keys, --check-streams, --check-single-streams) go to the master that owns each key's
// hash slot, on a connection of their own, and a cluster has only db0 (no SELECT, label db0).
// redis_exporter follows MOVED replies on one connection bound to a random node, so its
// pattern SCANs see that node's keys only; here the slot map (CLUSTER SLOTS) is read once per
// scrape, every master is scanned and each key is asked of its owner in one pipeline per node.
// Also /discover-cluster-nodes: CLUSTER NODES as a Prometheus http_sd target list.
import type { MetricSink } from './exposition';
import { extractCheckKeys, GLOB, scanKeys, type DbKey, type ScanLimits } from './keys';
import { HELP } from './metric-map';
import { tlsOptions, type RedisOptions } from './options';
import { RespClient, RespError, type RespValue } from './resp';
import { extractStreamMetrics } from './streams';
import { parseRedisTarget, type RedisTarget } from './target';

// CRC16-CCITT (XModem), the checksum Redis Cluster uses for key slots.
const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16(data: Buffer): number {
  let crc = 0;
  for (const b of data) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc;
}

/** The hash slot of a key; a non-empty `{tag}` hashes only the tag, as Redis does. */
export function keySlot(key: string): number {
  const buf = Buffer.from(key, 'utf8');
  const open = buf.indexOf(0x7b); // {
  if (open >= 0) {
    const close = buf.indexOf(0x7d, open + 1); // }
    if (close > open + 1) return crc16(buf.subarray(open + 1, close)) % 16384;
  }
  return crc16(buf) % 16384;
}

export interface SlotRange {
  start: number;
  end: number;
  /** `host:port` of the master serving the range. */
  node: string;
}

/**
 * CLUSTER SLOTS → ranges and their masters. An empty or `?` address (the node does not know
 * its own, or cluster-preferred-endpoint-type says unknown) means the node answering.
 */
export function parseClusterSlots(reply: RespValue, answeringHost: string): SlotRange[] {
  if (reply instanceof RespError) throw new Error(`CLUSTER SLOTS: ${reply.message}`);
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS: not an array reply');
  const out: SlotRange[] = [];
  for (const r of reply) {
    if (!Array.isArray(r) || r.length < 3 || !Array.isArray(r[2])) continue;
    const [start, end, master] = r as [RespValue, RespValue, RespValue[]];
    const host = typeof master[0] === 'string' && master[0] !== '?' ? master[0] : '';
    if (typeof start !== 'number' || typeof end !== 'number' || typeof master[1] !== 'number')
      continue;
    out.push({ start, end, node: `${host || answeringHost}:${master[1]}` });
  }
  return out.sort((a, b) => a.start - b.start);
}

function ownerOf(ranges: readonly SlotRange[], slot: number): string | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (slot < r.start) hi = mid - 1;
    else if (slot > r.end) lo = mid + 1;
    else return r.node;
  }
  return undefined;
}

const NODE_ADDRESS = /^(.+):(\d+)@(\d+)(?:,(.+))?/;

/**
 * CLUSTER NODES → `host:port` of every node (masters and replicas), in the reply's order, as
 * redis_exporter's discovery; nodes without an address (`:0@0`) are left out. With
 * `useHostnames`, a node's announced hostname replaces its IP where it has one.
 */
export function parseClusterNodes(text: string, useHostnames = false): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2) continue;
    const m = NODE_ADDRESS.exec(fields[1]!);
    if (!m) continue;
    out.push(`${useHostnames && m[4] ? m[4] : m[1]}:${m[2]}`);
  }
  return out;
}

/** `host:port` → `[host, port]`; IPv6 hosts keep their colons. */
function splitHostPort(node: string): [string, number] {
  const i = node.lastIndexOf(':');
  return [node.slice(0, i).replace(/^\[|\]$/g, ''), Number(node.slice(i + 1))];
}

/** One connection per node for one scrape, all with the seed's credentials and TLS. */
export class NodeConnections {
  private readonly conns = new Map<string, Promise<RespClient>>();

  constructor(
    private readonly o: RedisOptions,
    private readonly seed: RedisTarget,
  ) {}

  get(node: string): Promise<RespClient> {
    let c = this.conns.get(node);
    if (!c) {
      const [host, port] = splitHostPort(node);
      // The seed's password (URI, password file, flag) is the cluster's, as in redis_exporter.
      const user = this.seed.user ?? this.o.user;
      const password = this.seed.password ?? this.o.passwordMap[this.seed.uri] ?? this.o.password;
      c = RespClient.connect({
        host,
        port,
        ...(this.seed.tls ? { tls: tlsOptions(this.o) } : {}),
        timeoutMs: this.o.connectionTimeoutMs,
        ...(user ? { user } : {}),
        ...(password ? { password } : {}),
      });
      c.catch(() => undefined); // awaited by the caller; never an unhandled rejection
      this.conns.set(node, c);
    }
    return c;
  }

  seedNode(): string {
    return `${this.seed.host}:${this.seed.port}`;
  }

  close(): void {
    for (const c of this.conns.values())
      c.then(
        (x) => x.close(),
        () => undefined,
      );
    this.conns.clear();
  }
}

/** The seed's CLUSTER NODES as redis_exporter's /discover-cluster-nodes body (http_sd JSON). */
export async function discoverClusterNodes(o: RedisOptions): Promise<string> {
  const seed = parseRedisTarget(o.addr);
  const conns = new NodeConnections(o, seed);
  try {
    let c: RespClient;
    try {
      c = await conns.get(conns.seedNode());
    } catch (err) {
      throw new ClusterHttpError(
        500,
        `Couldn't connect to redis cluster: ${(err as Error).message}`,
      );
    }
    const text = await c.send('CLUSTER', 'NODES');
    if (typeof text !== 'string')
      throw new ClusterHttpError(
        500,
        `Failed to fetch cluster nodes: ${text instanceof RespError ? text.message : 'no text reply'}`,
      );
    const scheme = seed.tls ? 'rediss' : 'redis';
    const targets = parseClusterNodes(text, o.clusterDiscoverHostnames).map(
      (n) => `${scheme}://${n}`,
    );
    // Indented like Go's json.MarshalIndent(v, "", "  "), so both exporters answer alike.
    return JSON.stringify([{ targets, labels: {} }], null, 2);
  } finally {
    conns.close();
  }
}

export class ClusterHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ClusterKeyOptions extends ScanLimits {
  checkKeys: DbKey[];
  checkSingleKeys: DbKey[];
  countKeys: DbKey[];
  checkStreams: DbKey[];
  checkSingleStreams: DbKey[];
  disableKeyValues: boolean;
}

/** True when any key-level check is configured (the part --is-cluster reroutes). */
export function hasKeyChecks(
  o: Pick<
    ClusterKeyOptions,
    'checkKeys' | 'checkSingleKeys' | 'countKeys' | 'checkStreams' | 'checkSingleStreams'
  >,
): boolean {
  return (
    o.checkKeys.length +
      o.checkSingleKeys.length +
      o.countKeys.length +
      o.checkStreams.length +
      o.checkSingleStreams.length >
    0
  );
}

/**
 * Runs the key-level checks against the cluster behind `address`; returns the number of SCAN
 * walks cut short. A node that cannot be reached costs its keys for this scrape, never the
 * scrape: `warn` says which.
 */
export async function extractClusterKeyMetrics(
  sink: MetricSink,
  address: string,
  ro: RedisOptions,
  opts: ClusterKeyOptions,
  warn: (msg: string) => void,
): Promise<number> {
  const seed = parseRedisTarget(address);
  const conns = new NodeConnections(ro, seed);
  let truncated = 0;
  try {
    const seedConn = await conns.get(conns.seedNode());
    const ranges = parseClusterSlots(await seedConn.call('CLUSTER', 'SLOTS'), seed.host);
    const masters = [...new Set(ranges.map((r) => r.node))];

    /** Every key of every master matching `pattern`, within one shared scan budget. */
    const scanAll = async (pattern: string): Promise<string[]> => {
      const found: string[] = [];
      for (const node of masters) {
        const left = opts.maxScanKeys - found.length;
        if (left <= 0) {
          truncated++;
          break;
        }
        try {
          const r = await scanKeys(await conns.get(node), pattern, { ...opts, maxScanKeys: left });
          if (r.truncated) truncated++;
          found.push(...r.keys);
        } catch (err) {
          warn(`cluster node ${node}: SCAN ${pattern}: ${(err as Error).message}`);
        }
      }
      return found;
    };

    /** Names and patterns → keys per owning master. */
    const route = async (single: DbKey[], patterns: DbKey[]) => {
      const byNode = new Map<string, Set<string>>();
      const add = (key: string): void => {
        const node = ownerOf(ranges, keySlot(key));
        if (!node) return warn(`cluster: no master serves the slot of key "${key}"`);
        const set = byNode.get(node) ?? new Set<string>();
        set.add(key);
        byNode.set(node, set);
      };
      for (const k of single) add(k.key);
      for (const k of patterns) {
        if (!GLOB.test(k.key)) add(k.key);
        else for (const key of await scanAll(k.key)) add(key);
      }
      return byNode;
    };

    const perNode = async (
      byNode: Map<string, Set<string>>,
      step: string,
      fn: (c: RespClient, keys: DbKey[]) => Promise<number>,
    ): Promise<void> => {
      for (const [node, set] of byNode) {
        try {
          const keys = [...set].map((key) => ({ db: '0', key }));
          truncated += await fn(await conns.get(node), keys);
        } catch (err) {
          warn(`cluster node ${node}: ${step}: ${(err as Error).message}`);
        }
      }
    };

    const keys = await route(opts.checkSingleKeys, opts.checkKeys);
    await perNode(keys, 'check-keys', (c, ks) =>
      extractCheckKeys(sink, c, {
        ...opts,
        checkKeys: [],
        checkSingleKeys: ks,
        countKeys: [],
      }),
    );

    for (const k of opts.countKeys) {
      const n = (await scanAll(k.key)).length;
      sink.gauge('keys_count', n, { db: 'db0', key: k.key }, HELP.keys_count);
    }

    const streams = await route(opts.checkSingleStreams, opts.checkStreams);
    await perNode(streams, 'check-streams', (c, ks) =>
      extractStreamMetrics(sink, c, { ...opts, checkStreams: [], checkSingleStreams: ks }, warn),
    );
  } finally {
    conns.close();
  }
  return truncated;
}
