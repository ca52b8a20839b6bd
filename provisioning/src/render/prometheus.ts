// One Prometheus config per observability node. Both members of the pair scrape the same
// file_sd targets and differ only in `external_labels.replica`, which is dropped from alerts
// so Alertmanager deduplicates the pair's notifications.
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { isLoopback } from '../inventory/loopback';
import type { Inventory } from '../inventory/schema';
import { durationMs, generatedHeader, requireNode } from './common';
import { JOBS, LABEL, PROBE_JOBS, PROBER_LABEL } from './conventions';
import type { TargetJob } from './conventions';
import { RenderError } from './errors';
import { targetJobs } from './targets';

export interface PrometheusConfigOptions {
  /** Observability node this Prometheus runs on; its id becomes `external_labels.replica`. */
  node: string;
  /** Folder holding the file_sd target files (`renderFileSdTargets`), as Prometheus sees it. */
  targetsDir: string;
  /** Folder of rule files (okome-slo output); its `*.rules.yml` are loaded (not its promtool tests). */
  rulesDir?: string;
  /** Alertmanager `host:port` list; see `alertmanagerTargets`. */
  alertmanagers: string[];
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** How often each probe runs (default 1m); the simulator probes more often to see recoveries. */
  probeInterval?: string;
  /** Loopback render (simulator): a remote_write target off this machine is left out. */
  loopback?: boolean;
}

const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;
const PROBE_INTERVAL = '1m';
const PROBE_TIMEOUT = '10s';
const PROBE_TOKENS = 2;

/** A scrape timeout may not exceed the interval (short intervals are used by the simulator). */
function scrapeTimeout(interval: string): string | undefined {
  const ms = durationMs(interval);
  return ms < DEFAULT_SCRAPE_TIMEOUT_MS ? interval : undefined;
}

/**
 * One scrape job. Probe jobs follow the blackbox_exporter pattern: the file_sd target is the
 * probed URL, which becomes `target=` (and `instance`); the scrape goes to the exporter named
 * by the target's prober label, at `/probe?module=…`.
 */
function scrapeConfig(
  job: TargetJob,
  targetsDir: string,
  scrapeInterval: string,
  probeInterval: string,
): Record<string, unknown> {
  const base = {
    job_name: JOBS[job].job,
    file_sd_configs: [{ files: [posix.join(targetsDir, JOBS[job].file)] }],
  };
  if (!(job in PROBE_JOBS)) return base;
  return {
    ...base,
    // A probe is a real generation: on a 72B at ~3 tok/s with one slot (seed 001) it takes
    // seconds and holds the slot, so probes run once a minute (with a 10s deadline) whatever
    // the scrape interval, and ask for 2 tokens — first token and one inter-token gap.
    scrape_interval:
      durationMs(scrapeInterval) > durationMs(probeInterval) ? scrapeInterval : probeInterval,
    scrape_timeout:
      durationMs(probeInterval) < durationMs(PROBE_TIMEOUT) ? probeInterval : PROBE_TIMEOUT,
    metrics_path: '/probe',
    params: {
      module: [PROBE_JOBS[job as keyof typeof PROBE_JOBS]],
      ...(job === 'probeRedis' ? {} : { max_tokens: [String(PROBE_TOKENS)] }),
    },
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { source_labels: [PROBER_LABEL], target_label: '__address__' },
    ],
  };
}

export function renderPrometheusConfig(inv: Inventory, opts: PrometheusConfigOptions): string {
  const node = requireNode(inv, opts.node);
  if (!node.roles.includes('observability'))
    throw new RenderError(
      `node "${node.id}" has no observability role; Prometheus runs on one that does`,
    );
  const scrapeInterval = opts.scrapeInterval ?? inv.observability.scrapeInterval;
  const evaluationInterval = opts.evaluationInterval ?? inv.observability.evaluationInterval;
  const timeout = scrapeTimeout(scrapeInterval);

  const config: Record<string, unknown> = {
    global: {
      scrape_interval: scrapeInterval,
      ...(timeout ? { scrape_timeout: timeout } : {}),
      evaluation_interval: evaluationInterval,
      external_labels: { [LABEL.cluster]: inv.cluster, [LABEL.replica]: node.id },
    },
    alerting: {
      alert_relabel_configs: [{ action: 'labeldrop', regex: LABEL.replica }],
      alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: opts.alertmanagers }] }],
    },
    ...(opts.rulesDir ? { rule_files: [posix.join(opts.rulesDir, '*.rules.yml')] } : {}),
    scrape_configs: targetJobs(inv).map((job) =>
      scrapeConfig(job, opts.targetsDir, scrapeInterval, opts.probeInterval ?? PROBE_INTERVAL),
    ),
  };
  const notes = [
    'Scrape targets come from file_sd files; re-render them to change targets without a restart.',
  ];
  const rw = inv.observability.remoteWrite;
  if (rw && opts.loopback && !isLoopback(new URL(rw.url).hostname))
    // A loopback render is for the simulator: nothing it runs may send data off the machine.
    notes.push(`remote_write to ${rw.url} left out: loopback render.`);
  else if (rw) config.remote_write = [{ name: `${inv.cluster}-${rw.kind}`, url: rw.url }];
  return (
    generatedHeader(inv, `Prometheus on ${node.id}`, notes) + stringify(config, { lineWidth: 0 })
  );
}
