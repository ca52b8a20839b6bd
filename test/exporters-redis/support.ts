// Real servers for the Redis compatibility tests: redis-server and Debian's redis_exporter (the
// anchor), each on 127.0.0.1 with a free ephemeral port; nothing is mocked.
import { Exporter, Options, redisCollector, silentLogger } from '@okome/exporters';
import type { FlagValue } from '@okome/exporters';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  spawnRedisServer,
  startPlainRedis,
  stopper,
  waitUntil,
} from '../../exporters/src/test-support/redis-server';

export { freePort, stopper, waitUntil };

export const ANCHOR_BIN = '/usr/bin/prometheus-redis-exporter';
export const HOST = '127.0.0.1';

export interface Proc {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A raw RESP round trip (inline command), so the fixtures do not depend on the code under test. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: HOST, port });
    let out = '';
    const enc = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    s.on('connect', () => s.end(enc));
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

/** redis-server without persistence; `extra` arguments go last (e.g. `--loadmodule FILE`). */
export async function startRedis(extra: string[] = []): Promise<Proc> {
  const { port, stop } = await startPlainRedis(
    extra,
    // Up: PONG, or NOAUTH when `extra` sets a password.
    async (port) => /^(\+PONG|-NOAUTH)/.test(await redisCli(port, 'PING')),
    { tmpPrefix: 'okome-compat-redis-' },
  );
  return { port, url: `redis://${HOST}:${port}`, stop };
}

/** `redis-server --sentinel` watching `master` (host:port) as "mymaster", quorum 1. */
export async function startSentinel(master: string): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'okome-compat-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  const [mHost, mPort] = master.split(':');
  writeFileSync(
    conf,
    `port ${port}\nbind ${HOST}\ndir ${dir}\nsentinel monitor mymaster ${mHost} ${mPort} 1\n`,
  );
  const stop = await spawnRedisServer({
    args: [conf, '--sentinel'],
    ready: async () => (await redisCli(port, 'SENTINEL', 'CKQUORUM', 'mymaster')).startsWith('+OK'),
    what: `redis sentinel :${port}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
  return { port, url: `redis://${HOST}:${port}`, stop };
}

/** Debian's prometheus-redis-exporter with the given extra flags. */
export async function startAnchor(redisUrl: string, extra: string[] = []): Promise<Proc> {
  const port = await freePort();
  const child = spawn(
    ANCHOR_BIN,
    ['-redis.addr', redisUrl, '-web.listen-address', `${HOST}:${port}`, ...extra],
    { stdio: 'ignore' },
  );
  const url = `http://${HOST}:${port}`;
  await waitUntil(async () => (await fetch(`${url}/health`)).ok, `redis_exporter :${port}`);
  return { port, url, stop: stopper(child) };
}

export interface ParsedExposition {
  types: Map<string, string>;
  /** family → label names (le/quantile excluded) */
  labels: Map<string, Set<string>>;
  /** full series text (name{labels}) → value */
  samples: Map<string, number>;
}

/** Parses Prometheus text 0.0.4 into families, their label names and sample values. */
export function parseExposition(text: string): ParsedExposition {
  const types = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable sample line: ${line}`);
    const name = m[1]!;
    let family = name;
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && ['histogram', 'summary'].includes(types.get(base) ?? ''))
        family = base;
    }
    const names = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((x) => x[1]!);
    const set = labels.get(family) ?? new Set<string>();
    for (const n of names) if (n !== 'le' && n !== 'quantile') set.add(n);
    labels.set(family, set);
    samples.set(`${name}${normalizeLabels(m[2] ?? '')}`, Number(m[3]));
  }
  return { types, labels, samples };
}

/** Label sets sorted by name, so the two exporters' orders compare equal. */
function normalizeLabels(block: string): string {
  if (!block) return '';
  const pairs = [
    ...block.slice(1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g),
  ].map((x) => `${x[1]}="${x[2]}"`);
  return `{${pairs.sort().join(',')}}`;
}

// Go runtime and process metrics describe the exporter process itself, not Redis; ours has
// Node's process_*/nodejs_* from the core instead (README "Deliberate differences").
export const EXPORTER_OWN = /^(go_|process_|promhttp_)/;

/** Our redis collector with the given flags, in an exporter on a free port. */
export async function ours(
  flags: Record<string, FlagValue>,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const collector = redisCollector.create(new Options(new Map(Object.entries(flags))), {
    logger: silentLogger,
  });
  const exporter = new Exporter({
    collectors: [collector],
    routes: collector.routes ?? [],
    listen: { host: HOST, port: 0 },
    logger: silentLogger,
    collectorTimeoutMs: 10_000,
  });
  await exporter.start();
  return { url: exporter.url(), stop: () => exporter.stop() };
}

export async function scrape(
  url: string,
): Promise<{ status: number; text: string; parsed: ParsedExposition }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, text, parsed: parseExposition(text) };
}

/** Anchor families missing in ours, or with another type or other label names. */
export function compareShape(anchor: ParsedExposition, mine: ParsedExposition): string[] {
  const problems: string[] = [];
  for (const [name, type] of anchor.types) {
    if (EXPORTER_OWN.test(name)) continue;
    const t = mine.types.get(name);
    if (!t) problems.push(`missing family ${name} (${type})`);
    else if (t !== type) problems.push(`${name}: type ${t}, anchor ${type}`);
    else {
      const a = [...(anchor.labels.get(name) ?? [])].sort().join(',');
      const m = [...(mine.labels.get(name) ?? [])].sort().join(',');
      if (a !== m) problems.push(`${name}: labels {${m}}, anchor {${a}}`);
    }
  }
  return problems;
}
