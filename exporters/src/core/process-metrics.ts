// process_* and nodejs_* of the exporter itself, written as text: the families, names, help
// texts and labels of prom-client's collectDefaultMetrics (so dashboards for Node services read
// them unchanged), without building a prom-client registry on every scrape. That registry cost
// ~12 % of a Redis scrape's CPU (gauge objects, label hashing, the event-loop histogram read
// twice) and kept prom-client (with the @opentelemetry/api it requires) loaded in every exporter.
// prom-client's `*_total` gauges that are not counters stay out (`promtool check metrics`).
import { readFileSync, readdirSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { familyHeader, formatValue } from './exposition';

const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Event-loop delay as prom-client reports it (the time between the callbacks of a 10 ms timer,
 * in ns), kept in log buckets 2 % wide. perf_hooks' monitorEventLoopDelay keeps an HDR histogram
 * whose mean and stddev walk every bucket: 0.3 ms per read, on every scrape. Here min, max, mean
 * and stddev come from running sums and a percentile is one scan of ~1,100 counters.
 */
export class EventLoopDelay {
  private static readonly LOG_STEP = Math.log(1.02);
  private readonly buckets = new Uint32Array(1100);
  private count = 0;
  private sum = 0;
  private sumSquares = 0;
  private min = Infinity;
  private max = 0;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs = 10) {}

  start(): void {
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.record((now - this.last) * 1e6);
      this.last = now;
    }, this.resolutionMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One delay in ns. */
  record(ns: number): void {
    const i = Math.min(
      this.buckets.length - 1,
      Math.max(0, Math.floor(Math.log(Math.max(ns, 1)) / EventLoopDelay.LOG_STEP)),
    );
    this.buckets[i]!++;
    this.count++;
    this.sum += ns;
    this.sumSquares += ns * ns;
    if (ns < this.min) this.min = ns;
    if (ns > this.max) this.max = ns;
  }

  /** min, max, mean, stddev and the p50/p90/p99 (bucket upper bounds) in ns; NaN when empty. */
  stats(): { min: number; max: number; mean: number; stddev: number; p: Map<number, number> } {
    const n = this.count;
    const mean = this.sum / n;
    const p = new Map<number, number>();
    let seen = 0;
    let i = 0;
    for (const q of [50, 90, 99]) {
      const rank = Math.ceil((q / 100) * n);
      while (i < this.buckets.length - 1 && seen + this.buckets[i]! < rank)
        seen += this.buckets[i++]!;
      p.set(q, n ? Math.min(this.max, Math.exp((i + 1) * EventLoopDelay.LOG_STEP)) : NaN);
    }
    return {
      min: n ? this.min : NaN,
      max: n ? this.max : NaN,
      mean,
      stddev: n ? Math.sqrt(Math.max(0, this.sumSquares / n - mean * mean)) : NaN,
      p,
    };
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = this.sum = this.sumSquares = this.max = 0;
    this.min = Infinity;
  }
}

interface GcKind {
  /** cumulative count per GC_BUCKETS bound */
  buckets: number[];
  count: number;
  sum: number;
}

/** VmRSS, VmSize and VmData of /proc/self/status in bytes (undefined off Linux). */
export function readProcStatus(
  text: string,
): { rss: number; vsize: number; data: number } | undefined {
  const kb = (field: string): number | undefined => {
    const at = text.indexOf(`\n${field}:`);
    if (at < 0) return undefined;
    const n = parseInt(text.slice(at + field.length + 2, text.indexOf('\n', at + 1)).trim(), 10);
    return Number.isNaN(n) ? undefined : n * 1024;
  };
  const rss = kb('VmRSS');
  const vsize = kb('VmSize');
  const data = kb('VmData');
  return rss === undefined || vsize === undefined || data === undefined
    ? undefined
    : { rss, vsize, data };
}

function maxOpenFiles(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const n = Number(line?.split(/ {2,}/)[1]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** `# HELP …\n# TYPE …\n<name> ` of an unlabeled family: the same text every scrape. */
const headers = new Map<string, string>();
function header(name: string, type: string, help: string): string {
  let h = headers.get(name);
  if (h === undefined) headers.set(name, (h = `${familyHeader(name, type, help)}${name} `));
  return h;
}

function countBy(names: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return m;
}

function byType(name: string, help: string, counts: Map<string, number>): string {
  let out = familyHeader(name, 'gauge', help);
  for (const [type, n] of counts) out += `${name}{type="${type}"} ${n}\n`;
  return out;
}

/** Internal process APIs prom-client reads for handles and requests (absent in some runtimes). */
interface ProcessInternals {
  _getActiveHandles?: () => object[];
  _getActiveRequests?: () => object[];
}

function constructorNames(list: readonly object[]): string[] {
  return list.map((o) => (o as { constructor?: { name?: string } }).constructor?.name ?? 'Object');
}

export class ProcessMetrics {
  private readonly delay = new EventLoopDelay();
  private readonly gc = new Map<string, GcKind>();
  private readonly observer: PerformanceObserver;
  private readonly startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  private readonly maxFds = maxOpenFiles();
  private lagSeconds = 0;

  constructor() {
    this.delay.start();
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const detail = (e as { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS[detail?.kind ?? -1];
        if (kind) this.observeGc(kind, e.duration / 1000);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  private observeGc(kind: string, seconds: number): void {
    let k = this.gc.get(kind);
    if (!k) this.gc.set(kind, (k = { buckets: GC_BUCKETS.map(() => 0), count: 0, sum: 0 }));
    for (let i = 0; i < GC_BUCKETS.length; i++) if (seconds <= GC_BUCKETS[i]!) k.buckets[i]!++;
    k.count++;
    k.sum += seconds;
  }

  /**
   * Measures how long a setImmediate takes from now (nodejs_eventloop_lag_seconds). Call at the
   * start of a scrape; render() reports the newest finished probe, as prom-client did.
   */
  probeLag(): void {
    const t = process.hrtime.bigint();
    setImmediate(() => {
      this.lagSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    });
  }

  stop(): void {
    this.delay.stop();
    this.observer.disconnect();
  }

  /** All families, each read once (one /proc/self/status read per scrape). */
  render(): string {
    let out = '';
    const g = (name: string, help: string, v: number): void => {
      out += `${header(name, 'gauge', help)}${formatValue(v)}\n`;
    };
    const c = (name: string, help: string, v: number): void => {
      out += `${header(name, 'counter', help)}${formatValue(v)}\n`;
    };
    const cpu = process.cpuUsage();
    c('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', cpu.user / 1e6);
    c(
      'process_cpu_system_seconds_total',
      'Total system CPU time spent in seconds.',
      cpu.system / 1e6,
    );
    c(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      (cpu.user + cpu.system) / 1e6,
    );
    g(
      'process_start_time_seconds',
      'Start time of the process since unix epoch in seconds.',
      this.startSeconds,
    );
    let status: ReturnType<typeof readProcStatus>;
    try {
      status = readProcStatus(readFileSync('/proc/self/status', 'utf8'));
    } catch {
      status = undefined;
    }
    if (status) {
      g('process_resident_memory_bytes', 'Resident memory size in bytes.', status.rss);
      g('process_virtual_memory_bytes', 'Virtual memory size in bytes.', status.vsize);
      g('process_heap_bytes', 'Process heap size in bytes.', status.data);
    } else
      g(
        'process_resident_memory_bytes',
        'Resident memory size in bytes.',
        process.memoryUsage.rss(),
      );
    try {
      // readdir's own descriptor is in the list while it reads; it is closed again.
      g(
        'process_open_fds',
        'Number of open file descriptors.',
        readdirSync('/proc/self/fd').length - 1,
      );
    } catch {
      /* no procfs */
    }
    if (this.maxFds !== undefined)
      g('process_max_fds', 'Maximum number of open file descriptors.', this.maxFds);

    const d = this.delay.stats();
    g('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', this.lagSeconds);
    g('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', d.min / 1e9);
    g('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', d.max / 1e9);
    g(
      'nodejs_eventloop_lag_mean_seconds',
      'The mean of the recorded event loop delays.',
      d.mean / 1e9,
    );
    g(
      'nodejs_eventloop_lag_stddev_seconds',
      'The standard deviation of the recorded event loop delays.',
      d.stddev / 1e9,
    );
    for (const [q, v] of d.p)
      g(
        `nodejs_eventloop_lag_p${q}_seconds`,
        `The ${q}th percentile of the recorded event loop delays.`,
        v / 1e9,
      );
    this.delay.reset();

    out += byType(
      'nodejs_active_resources',
      'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
      countBy(process.getActiveResourcesInfo()),
    );
    const internals = process as unknown as ProcessInternals;
    if (internals._getActiveHandles)
      out += byType(
        'nodejs_active_handles',
        'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
        countBy(constructorNames(internals._getActiveHandles())),
      );
    if (internals._getActiveRequests)
      out += byType(
        'nodejs_active_requests',
        'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
        countBy(constructorNames(internals._getActiveRequests())),
      );

    // process.memoryUsage() would read /proc again for the RSS this scrape already has.
    const heap = getHeapStatistics();
    g(
      'nodejs_heap_size_total_bytes',
      'Process heap size from Node.js in bytes.',
      heap.total_heap_size,
    );
    g(
      'nodejs_heap_size_used_bytes',
      'Process heap size used from Node.js in bytes.',
      heap.used_heap_size,
    );
    g(
      'nodejs_external_memory_bytes',
      'Node.js external memory size in bytes.',
      heap.external_memory,
    );

    const spaces = getHeapSpaceStatistics();
    for (const [what, key] of [
      ['total', 'space_size'],
      ['used', 'space_used_size'],
      ['available', 'space_available_size'],
    ] as const) {
      const name = `nodejs_heap_space_size_${what}_bytes`;
      out += familyHeader(name, 'gauge', `Process heap space size ${what} from Node.js in bytes.`);
      for (const s of spaces)
        out += `${name}{space="${s.space_name.replace(/_space$/, '')}"} ${s[key]}\n`;
    }

    const [major, minor, patch] = process.version.slice(1).split('.');
    out += `${familyHeader('nodejs_version_info', 'gauge', 'Node.js version info.')}nodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"} 1\n`;

    const gcName = 'nodejs_gc_duration_seconds';
    out += familyHeader(
      gcName,
      'histogram',
      'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    );
    for (const [kind, k] of this.gc) {
      for (let i = 0; i < GC_BUCKETS.length; i++)
        out += `${gcName}_bucket{kind="${kind}",le="${GC_BUCKETS[i]}"} ${k.buckets[i]}\n`;
      out += `${gcName}_bucket{kind="${kind}",le="+Inf"} ${k.count}\n`;
      out += `${gcName}_sum{kind="${kind}"} ${formatValue(k.sum)}\n${gcName}_count{kind="${kind}"} ${k.count}\n`;
    }
    return out;
  }
}
