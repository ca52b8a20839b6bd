// Names the rendered configs share with okome-slo's rules and the controller (DESIGN.md §5–6).
// Kept in one place so a rename shows up in one diff.

export const LABEL = {
  cluster: 'cluster',
  node: 'node',
  role: 'role',
  replica: 'replica',
  action: 'okome_action',
  pool: 'okome_pool',
  backend: 'okome_backend',
  severity: 'severity',
  slo: 'slo',
  hop: 'hop',
  runbookUrl: 'runbook_url',
  alertname: 'alertname',
} as const;

export const ALERT = {
  backendDown: 'OkomeBackendDown',
  firstTokenBudget: 'OkomeBackendFirstTokenBudget',
} as const;

export const ACTIONS = ['drain', 'disable'] as const;

/** Scrape jobs and the file_sd target file each one reads. */
export const JOBS = {
  exporter: { job: 'okome-exporter', file: 'exporters.json' },
  prometheus: { job: 'prometheus', file: 'prometheus.json' },
  alertmanager: { job: 'alertmanager', file: 'alertmanager.json' },
  controller: { job: 'okome-controller', file: 'controller.json' },
  probeOpenai: { job: 'okome-probe-openai', file: 'probe-openai.json' },
  probeOllama: { job: 'okome-probe-ollama', file: 'probe-ollama.json' },
  probeRedis: { job: 'okome-probe-redis', file: 'probe-redis.json' },
} as const;
export type TargetJob = keyof typeof JOBS;

/**
 * Blackbox-style probe jobs (`/probe?target=&module=`): the module each one asks for. Their
 * file_sd targets are the probed service's URL; the exporter that runs the probe is carried in
 * the `PROBER_LABEL` target label and becomes `__address__` by relabeling.
 */
export const PROBE_JOBS = {
  probeOpenai: 'openai',
  probeOllama: 'ollama',
  probeRedis: 'redis',
} as const satisfies Partial<Record<TargetJob, string>>;
export type ProbeJob = keyof typeof PROBE_JOBS;

/** Target label (dropped after relabeling, as every `__` label) naming the probing exporter. */
export const PROBER_LABEL = '__tmp_okome_prober';

export const RECEIVER = {
  controller: 'okome-controller',
  page: 'oncall-page',
  ticket: 'ticket',
} as const;

/** Where a fresh render sends pages and tickets until an operator sets real receivers. */
export const PLACEHOLDER_WEBHOOK = {
  page: 'http://127.0.0.1:9/okome-placeholder/page',
  ticket: 'http://127.0.0.1:9/okome-placeholder/ticket',
} as const;

export const CONTROLLER_ALERTS_PATH = '/api/v1/alerts';

/**
 * Node flags for an okome-exporter that runs stream taps. V8 starts the young generation at
 * 1 MiB per semi-space and grows it (up to 16 MiB) only when much survives a scavenge. A tap's
 * garbage dies young, so it stays at 1 MiB and scavenges several times a second under load;
 * each pause holds every token in flight. Starting at the size V8 would grow to makes scavenges
 * ~16× rarer for at most 32 MiB more RSS (exporters README "Tap performance"). V8 sizes the
 * young generation when node starts, so this is a launch flag, not something the exporter can
 * set itself; systemd units and the local stack pass it, and the exporter warns without it.
 *
 * `--no-memory-reducer`: V8's memory reducer shrinks the heap with compacting full GCs once the
 * allocation rate drops, i.e. after a lull in traffic, and those ran as the next streams came
 * (8–15 ms pauses in the token bench, `--trace-gc` "Mark-Compact (reduce)"). A tap keeps its
 * heap at its working size instead (~20 MiB more than the shrunk one).
 */
export const TAP_NODE_FLAGS: readonly string[] = [
  '--min-semi-space-size=16',
  '--no-memory-reducer',
];
