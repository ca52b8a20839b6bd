// The controller's own /metrics in the Prometheus text format. A handful of labelled counters
// and gauges do not justify a dependency.

type Labels = Record<string, string>;

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Family {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels, value: by });
  }

  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), { labels, value });
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values())
      lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

export class ControllerMetrics {
  readonly actions = new Family(
    'okome_controller_actions_total',
    'Routing changes applied, by pool, action and actor kind.',
    'counter',
  );
  readonly refused = new Family(
    'okome_controller_actions_refused_total',
    'Routing changes refused by a guardrail, by rule.',
    'counter',
  );
  readonly actuatorErrors = new Family(
    'okome_controller_actuator_errors_total',
    'Actuator apply/verify failures (rolled back), by actuator.',
    'counter',
  );
  readonly webhooks = new Family(
    'okome_controller_webhook_requests_total',
    'Alertmanager webhook requests, by HTTP status code.',
    'counter',
  );
  readonly dryRun = new Family(
    'okome_controller_dry_run',
    '1 when the controller only plans and records actions.',
    'gauge',
  );
  readonly killSwitch = new Family(
    'okome_controller_kill_switch_enabled',
    '1 when automatic actions are stopped.',
    'gauge',
  );
  readonly pendingReverts = new Family(
    'okome_controller_pending_reverts',
    'Backends waiting for their hold-down before coming back.',
    'gauge',
  );
  readonly backendState = new Family(
    'okome_controller_backend_state',
    'Routing state of each backend (1 for its current state).',
    'gauge',
  );
  readonly promUp = new Family(
    'okome_controller_prometheus_up',
    '1 when the last topology query to Prometheus succeeded.',
    'gauge',
  );

  render(): string {
    return (
      [
        this.actions,
        this.refused,
        this.actuatorErrors,
        this.webhooks,
        this.dryRun,
        this.killSwitch,
        this.pendingReverts,
        this.backendState,
        this.promUp,
      ]
        .map((f) => f.render())
        .join('\n') + '\n'
    );
  }
}
