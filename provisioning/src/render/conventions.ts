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
} as const;
export type TargetJob = keyof typeof JOBS;

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
