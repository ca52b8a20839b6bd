// One scrape of one Redis, in redis_exporter's order (scrapeRedisHost): connect, [PING],
// CLIENT SETNAME, CONFIG GET *, INFO ALL, [CLUSTER INFO], LATENCY, keys, SLOWLOG, key groups,
// [CLIENT LIST], [SERVER EXT for Tile38]. Only connect and INFO fail the scrape; optional parts
// are skipped on error.
import type { MetricSink } from './exposition';
import { extractClientList } from './clients';
import { extractClusterInfoMetrics, extractInfoMetrics } from './info';
import { extractCheckKeys, extractKeyGroups } from './keys';
import { extractLatencyHistogram, extractLatencyLatest } from './latency';
import { CONFIG_GAUGES, HELP, REDACTED_CONFIG } from './metric-map';
import { tlsOptions, type RedisOptions } from './options';
import { RespClient, RespError, type RespValue } from './resp';
import { extractModulesMetrics } from './modules';
import { extractScriptMetrics } from './script';
import { extractSearchIndexesMetrics } from './search-indexes';
import { extractSentinelMetrics } from './sentinel';
import { extractSlowlog } from './slowlog';
import { extractStreamMetrics } from './streams';
import { extractTile38Metrics, TILE38_COMMAND } from './tile38';
import { parseRedisTarget, redact } from './target';

export interface ScrapeOutcome {
  /** undefined when the scrape succeeded */
  error?: string;
  durationSeconds: number;
  truncatedScans: number;
}

/**
 * The settings a scrape reads without --include-config-metrics. Redis 7 answers several patterns
 * in one CONFIG GET: these 6 instead of all ~200 (`*`), which Redis formats and we parse on
 * every scrape for nothing.
 */
const CONFIG_READ = ['databases', ...CONFIG_GAUGES, 'client-output-buffer-limit'];

/** Password for a target: from the URI, else the password file (by URI), else the flag. */
function passwordFor(
  uri: string,
  fromUri: string | undefined,
  o: RedisOptions,
): string | undefined {
  return fromUri ?? o.passwordMap[uri] ?? o.password;
}

function emitConfig(sink: MetricSink, reply: RespValue, o: RedisOptions): number {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) return 0;
  let dbCount = 0;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key = String(reply[i]);
    const val = String(reply[i + 1]);
    const num = val.trim() === '' ? NaN : Number(val);
    if (key === 'databases' && Number.isInteger(num)) dbCount = num;
    if (o.inclConfigMetrics && !(o.redactConfigMetrics && REDACTED_CONFIG.includes(key))) {
      sink.gauge('config_key_value', 1, { key, value: val }, HELP.config_key_value);
      if (!Number.isNaN(num)) sink.gauge('config_value', num, { key }, HELP.config_value);
    }
    if ((CONFIG_GAUGES as readonly string[]).includes(key) && !Number.isNaN(num))
      sink.gauge(`config_${key.replace(/-/g, '_')}`, num);
    if (key === 'client-output-buffer-limit') {
      const parts = val.split(' ');
      for (let j = 0; j + 3 < parts.length; j += 4) {
        const cls = parts[j]!;
        const [hard, soft, secs] = [
          Number(parts[j + 1]),
          Number(parts[j + 2]),
          Number(parts[j + 3]),
        ];
        const h = HELP.config_client_output_buffer_limit_bytes;
        if (!Number.isNaN(hard))
          sink.gauge(
            'config_client_output_buffer_limit_bytes',
            hard,
            { class: cls, limit: 'hard' },
            h,
          );
        if (!Number.isNaN(soft))
          sink.gauge(
            'config_client_output_buffer_limit_bytes',
            soft,
            { class: cls, limit: 'soft' },
            h,
          );
        if (!Number.isNaN(secs))
          sink.gauge(
            'config_client_output_buffer_limit_overcome_seconds',
            secs,
            { class: cls, limit: 'soft' },
            HELP.config_client_output_buffer_limit_overcome_seconds,
          );
      }
    }
  }
  return dbCount;
}

/** Runs an optional step; its failure is logged once per message and never fails the scrape. */
const warned = new Set<string>();

/** `key` groups messages that differ only in a name, so churning keys cannot grow `warned`. */
function warnOnce(msg: string, key = msg): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.error(msg);
}

/** True (and logged once) when an optional command got an error reply. */
function warnOnError(step: string, reply: RespValue): reply is RespError {
  if (!(reply instanceof RespError)) return false;
  warnOnce(`redis collector: ${step}: ${reply.message}`);
  return true;
}
async function optional(step: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    warnOnce(`redis collector: ${step}: ${(err as Error).message}`);
  }
}

export async function scrapeRedis(
  sink: MetricSink,
  address: string,
  o: RedisOptions,
  deadline = Date.now() + o.connectionTimeoutMs,
): Promise<ScrapeOutcome> {
  const started = process.hrtime.bigint();
  const since = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;
  let truncatedScans = 0;
  let client: RespClient | undefined;
  try {
    const target = parseRedisTarget(address);
    const user = target.user ?? o.user;
    const password = passwordFor(target.uri, target.password, o);
    const connectStart = process.hrtime.bigint();
    try {
      client = await RespClient.connect({
        host: target.host,
        port: target.port,
        ...(target.path ? { path: target.path } : {}),
        ...(target.tls ? { tls: tlsOptions(o) } : {}),
        timeoutMs: o.connectionTimeoutMs,
        ...(user ? { user } : {}),
        ...(password ? { password } : {}),
      });
    } finally {
      sink.gauge('exporter_last_scrape_connect_time_seconds', since(connectStart));
    }
    const c = client;
    if (o.pingOnConnect) {
      const t = process.hrtime.bigint();
      await optional('PING', async () => {
        await c.call('PING');
        sink.gauge('exporter_last_scrape_ping_time_seconds', since(t));
      });
    }
    // One round trip for the fixed part of the scrape: replies come back in order, and an
    // error reply is a value here (RespError), so one failing command cannot hide the others.
    const skip = Promise.resolve<RespValue>(null);
    const configGet = o.inclConfigMetrics ? ['*'] : CONFIG_READ;
    const [setName, cfg0, infoAll, latest, slowLen, slowLast, tile38] = await Promise.all([
      o.setClientName ? c.send('CLIENT', 'SETNAME', 'redis_exporter') : skip,
      o.configCommand !== '-' ? c.send(o.configCommand, 'GET', ...configGet) : skip,
      c.send('INFO', 'ALL'),
      c.send('LATENCY', 'LATEST'),
      c.send('SLOWLOG', 'LEN'),
      c.send('SLOWLOG', 'GET', '1'),
      o.isTile38 ? c.send(...TILE38_COMMAND) : skip,
    ]);
    // LATENCY HISTOGRAM costs Redis ~0.2 ms (an HDR histogram walk per command), more than the
    // rest of the pipeline; in it, every reply waited for it. Asked for now, Redis computes it
    // while the replies above are turned into metrics (~0.5 ms), and it is ready when needed.
    const histogramReply = o.excludeLatencyHistogram ? skip : c.sendNow('LATENCY', 'HISTOGRAM');
    histogramReply.catch(() => undefined); // awaited below, unless an earlier step fails first
    warnOnError('CLIENT SETNAME', setName);

    // Redis < 7 takes one pattern per CONFIG GET: ask for everything, as redis_exporter does.
    const cfg =
      cfg0 instanceof RespError && /wrong number of arguments/i.test(cfg0.message)
        ? await c.send(o.configCommand, 'GET', '*')
        : cfg0;
    let dbCount = 0;
    if (cfg !== null && !(cfg instanceof RespError)) dbCount = emitConfig(sink, cfg, o);

    let info = infoAll;
    if (typeof info !== 'string' || info === '') info = await c.call('INFO');
    if (typeof info !== 'string') throw new Error('INFO returned no text');

    if (info.includes('cluster_enabled:1')) {
      const ci = await c.send('CLUSTER', 'INFO');
      if (typeof ci === 'string') {
        extractClusterInfoMetrics(sink, ci);
        dbCount = 1;
      }
    } else if (dbCount === 0) dbCount = 16;

    const infoText = info;
    const usec = new Map<string, number>();
    extractInfoMetrics(sink, infoText, {
      dbCount,
      inclEmptyDatabases: o.inclEmptyDatabases,
      usecByCommand: usec,
    });
    if (o.inclSystemMetrics) {
      const m = /^total_system_memory:(\d+)/m.exec(infoText);
      if (m) sink.gauge('total_system_memory_bytes', Number(m[1]));
    }

    if (!warnOnError('LATENCY LATEST', latest)) extractLatencyLatest(sink, latest);
    const histogram = await histogramReply;
    if (histogram !== null && !warnOnError('LATENCY HISTOGRAM', histogram))
      extractLatencyHistogram(sink, histogram, usec);
    if (!warnOnError('SLOWLOG', slowLen)) extractSlowlog(sink, slowLen, slowLast);
    if (tile38 !== null && !warnOnError('SERVER EXT (--is-tile38)', tile38))
      extractTile38Metrics(sink, tile38);
    const limits = { batchSize: o.checkKeysBatchSize, maxScanKeys: o.maxScanKeys, deadline };
    if (o.checkKeys.length || o.checkSingleKeys.length || o.countKeys.length)
      await optional('check-keys', async () => {
        truncatedScans += await extractCheckKeys(sink, c, {
          ...limits,
          checkKeys: o.checkKeys,
          checkSingleKeys: o.checkSingleKeys,
          countKeys: o.countKeys,
          disableKeyValues: o.disableKeyValues,
        });
      });
    if (o.checkStreams.length || o.checkSingleStreams.length)
      await optional('check-streams', async () => {
        truncatedScans += await extractStreamMetrics(
          sink,
          c,
          { ...limits, checkStreams: o.checkStreams, checkSingleStreams: o.checkSingleStreams },
          (msg) => warnOnce(`redis collector: ${msg} (logged once)`, 'check-streams: not a stream'),
        );
      });
    // redis_exporter always exports the key-group duration, 0 when no groups are configured.
    if (!o.checkKeyGroups.length)
      sink.gauge(
        'last_key_groups_scrape_duration_milliseconds',
        0,
        {},
        HELP.last_key_groups_scrape_duration_milliseconds,
      );
    if (o.checkKeyGroups.length)
      await optional('check-key-groups', async () => {
        truncatedScans += await extractKeyGroups(sink, c, {
          ...limits,
          groups: o.checkKeyGroups,
          maxDistinctGroups: o.maxDistinctKeyGroups,
          dbCount,
        });
      });
    if (/^redis_mode:sentinel/m.test(infoText))
      await optional('SENTINEL', () => extractSentinelMetrics(sink, c, infoText));
    // After sentinel and before the scripts, as in redis_exporter; neither fails the scrape.
    if (o.inclModulesMetrics)
      await optional('INFO MODULES', async () => {
        const mods = await c.call('INFO', 'MODULES');
        if (typeof mods === 'string') extractModulesMetrics(sink, mods);
      });
    if (o.inclSearchIndexesMetrics)
      await optional('search indexes', () =>
        extractSearchIndexesMetrics(sink, c, o.checkSearchIndexes, (m) =>
          // keyed by the kind of failure (FT._LIST / FT.INFO / conversion), not the index name
          warnOnce(`redis collector: ${m} (logged once)`, `search-indexes ${m.slice(0, 8)}`),
        ),
      );
    // Not optional, as in redis_exporter: a failing script fails the scrape (script.ts).
    if (o.scripts.length) await extractScriptMetrics(sink, c, o.scripts);
    if (o.exportClientList)
      await optional('CLIENT LIST', async () => {
        const list = await c.call('CLIENT', 'LIST');
        if (typeof list === 'string') extractClientList(sink, list, o.exportClientPort);
      });
    if (
      o.checkKeys.length ||
      o.countKeys.length ||
      o.checkKeyGroups.length ||
      o.checkStreams.length
    )
      sink.gauge(
        'exporter_last_scrape_keys_truncated',
        truncatedScans,
        {},
        'SCAN walks of the last scrape cut short by --check-keys-max-scan or the scrape deadline (OKOME addition)',
      );
    return { durationSeconds: since(started), truncatedScans };
  } catch (err) {
    return {
      error: redact((err as Error).message),
      durationSeconds: since(started),
      truncatedScans,
    };
  } finally {
    // Closed on the next loop turn, after the exposition went out: closing a socket (FIN,
    // teardown: ~0.08 ms) is no part of the answer.
    if (client) setImmediate(closeClient, client);
  }
}

function closeClient(client: RespClient): void {
  client.close();
}
