// The redis_exporter surface: /metrics for the fixed target (scrapes serialized, like its
// Collect mutex) and /scrape?target= with a throwaway exporter per request so concurrent
// multi-target scrapes share no state. Self metrics (scrapes_total, the scrape-duration summary,
// target_scrape_request_errors_total, build_info) keep their redis_exporter names for dashboards.
import {
  ClusterHttpError,
  discoverClusterNodes,
  extractClusterKeyMetrics,
  hasKeyChecks,
} from './cluster';
import { MetricSink } from './exposition';
import { HELP } from './metric-map';
import { parseKeyArg } from './keys';
import { loadPasswordFile, type RedisOptions } from './options';
import { scrapeRedis } from './scrape';
import { parseRedisTarget, TargetError } from './target';

export const EXPORTER_VERSION = '0.1.0';

export interface ScrapeResponse {
  status: number;
  contentType: string;
  body: string;
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class RedisExporter {
  private scrapes = 0;
  private durationSum = 0;
  private requestErrors = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: RedisOptions) {}

  /** Scrapes the configured address (or `address`) and returns the exposition text. */
  collect(deadline?: number, address = this.options.addr): Promise<string> {
    const run = this.queue.then(() => this.collectNow(address, this.options, deadline));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async collectNow(address: string, o: RedisOptions, deadline?: number): Promise<string> {
    this.scrapes++;
    const sink = new MetricSink(o.namespace);
    let failed: string | undefined;
    let took: number;
    if (address) {
      // --is-cluster: the scrape itself stays on the target; key checks run afterwards on a
      // cluster-aware connection of their own, as redis_exporter does.
      const cluster = o.isCluster && hasKeyChecks(o);
      const r = await scrapeRedis(sink, address, cluster ? withoutKeyChecks(o) : o, deadline);
      failed = r.error;
      took = r.durationSeconds;
      if (cluster && !failed) took += await clusterKeyChecks(sink, address, o, deadline);
      sink.gauge(
        'exporter_last_scrape_error',
        failed ? 1 : 0,
        { err: failed ?? '' },
        HELP.exporter_last_scrape_error,
      );
      sink.gauge('up', failed ? 0 : 1, {}, HELP.up);
      sink.gauge('exporter_last_scrape_duration_seconds', took);
      this.durationSum += took;
    }
    this.selfMetrics(sink);
    return sink.render();
  }

  /**
   * /-/reload: re-reads --redis.password-file, as redis_exporter; later scrapes (and /scrape)
   * use the new passwords. A bad file keeps the old ones.
   */
  reload(): ScrapeResponse {
    const text = (status: number, body: string): ScrapeResponse => ({
      status,
      contentType: 'text/plain; charset=utf-8',
      body,
    });
    const file = this.options.passwordFile;
    if (!file) return text(400, 'There is no pwd file specified\n');
    try {
      this.options.passwordMap = loadPasswordFile(file);
    } catch (err) {
      return text(500, `failed to reload passwords file: ${(err as Error).message}\n`);
    }
    return text(200, 'ok');
  }

  /** /discover-cluster-nodes: Prometheus http_sd targets of every node of the cluster. */
  async discover(): Promise<ScrapeResponse> {
    const plain = (status: number, body: string): ScrapeResponse => ({
      status,
      contentType: 'text/plain; charset=utf-8',
      body: `${body}\n`,
    });
    if (!this.options.isCluster)
      return plain(400, 'The discovery endpoint is only available on a redis cluster');
    try {
      const body = await discoverClusterNodes(this.options);
      return { status: 200, contentType: 'application/json', body };
    } catch (err) {
      if (err instanceof ClusterHttpError) return plain(err.status, err.message);
      return plain(500, `Failed to fetch cluster nodes: ${(err as Error).message}`);
    }
  }

  private selfMetrics(sink: MetricSink): void {
    sink.counter('exporter_scrapes_total', this.scrapes, {}, HELP.exporter_scrapes_total);
    sink.summary(
      'exporter_scrape_duration_seconds',
      {},
      this.scrapes,
      this.durationSum,
      new Map(),
      HELP.exporter_scrape_duration_seconds,
    );
    sink.counter(
      'target_scrape_request_errors_total',
      this.requestErrors,
      {},
      HELP.target_scrape_request_errors_total,
    );
    sink.gauge(
      'exporter_build_info',
      1,
      {
        version: EXPORTER_VERSION,
        commit_sha: 'okome',
        build_date: '',
        golang_version: process.version,
      },
      HELP.exporter_build_info,
    );
  }

  /**
   * GET /scrape?target=redis://host:port[&check-keys=...][&check-single-keys=...][&count-keys=...]
   * [&check-streams=...][&check-single-streams=...].
   * A missing or unusable target is the caller's mistake: 400 and the error counter goes up.
   */
  async scrapeHandler(query: URLSearchParams, deadline?: number): Promise<ScrapeResponse> {
    const target = query.get('target') ?? '';
    const bad = (msg: string): ScrapeResponse => {
      this.requestErrors++;
      return { status: 400, contentType: 'text/plain; charset=utf-8', body: `${msg}\n` };
    };
    if (!target) return bad("'target' parameter must be specified");
    let o: RedisOptions;
    let address: string;
    try {
      // User-info never travels on: the user is kept, a password in the URL is dropped (it
      // would sit in Prometheus' config in clear) and comes from --redis.password-file instead.
      const t = parseRedisTarget(target);
      address = t.uri;
      o = { ...this.options, addr: address };
      if (t.user) o.user = t.user;
      const ck = query.get('check-keys');
      const csk = query.get('check-single-keys');
      const cnt = query.get('count-keys');
      const cs = query.get('check-streams');
      const css = query.get('check-single-streams');
      if (ck) o.checkKeys = parseKeyArg(ck, 'check-keys');
      if (csk) o.checkSingleKeys = parseKeyArg(csk, 'check-single-keys');
      if (cnt) o.countKeys = parseKeyArg(cnt, 'count-keys');
      if (cs) o.checkStreams = parseKeyArg(cs, 'check-streams');
      if (css) o.checkSingleStreams = parseKeyArg(css, 'check-single-streams');
      const tlsName = query.get('tls_server_name') ?? query.get('tls-server-name');
      if (tlsName) o.tls = { ...o.tls, serverName: tlsName };
    } catch (err) {
      return bad(
        err instanceof TargetError
          ? `invalid 'target' parameter: ${err.message}`
          : (err as Error).message,
      );
    }
    const body = await new RedisExporter(o).collect(deadline, address);
    return { status: 200, contentType: TEXT_CONTENT_TYPE, body };
  }
}

function withoutKeyChecks(o: RedisOptions): RedisOptions {
  return {
    ...o,
    checkKeys: [],
    checkSingleKeys: [],
    countKeys: [],
    checkStreams: [],
    checkSingleStreams: [],
  };
}

const TRUNCATED = 'exporter_last_scrape_keys_truncated';
const clusterWarned = new Set<string>();

/** Cluster key checks; returns the seconds they took. Failures are logged, never fatal. */
async function clusterKeyChecks(
  sink: MetricSink,
  address: string,
  o: RedisOptions,
  deadline: number | undefined,
): Promise<number> {
  const started = process.hrtime.bigint();
  const warn = (msg: string): void => {
    // Keyed by the message without the key name, so churning keys cannot grow the set.
    const key = msg.replace(/".*"/, '""');
    if (clusterWarned.has(key)) return;
    clusterWarned.add(key);
    console.error(`redis collector: ${msg} (logged once)`);
  };
  let truncated = 0;
  try {
    truncated = await extractClusterKeyMetrics(
      sink,
      address,
      o,
      {
        ...o,
        batchSize: o.checkKeysBatchSize,
        maxScanKeys: o.maxScanKeys,
        deadline: deadline ?? Date.now() + o.connectionTimeoutMs,
      },
      warn,
    );
  } catch (err) {
    warn(`cluster key checks: ${(err as Error).message}`);
  }
  // One gauge per scrape: the key-group walks of the scrape may have set it already.
  const family = sink
    .list()
    .find((f) => f.name === (o.namespace ? `${o.namespace}_${TRUNCATED}` : TRUNCATED));
  const series = family?.series[0];
  if (series) series.value = (series.value ?? 0) + truncated;
  else
    sink.gauge(
      TRUNCATED,
      truncated,
      {},
      'SCAN walks of the last scrape cut short by --check-keys-max-scan or the scrape deadline (OKOME addition)',
    );
  return Number(process.hrtime.bigint() - started) / 1e9;
}
