// The real ports: Prometheus through the topology's client, Alertmanager alerts (v2 API) and
// silences through the controller's AlertmanagerClient, the simulator's fault API, the routing
// Engine (so drill changes pass the same guardrails and audit), exec hooks, Grafana annotations.
import type { BackendState } from '@okome/provisioning';
import type { AlertmanagerClient } from '../alertmanager';
import { run } from '../actuators/proc';
import type { Engine } from '../engine';
import { instantQuery } from '../topology/prometheus';
import type {
  AlertsPort,
  AnnotationsPort,
  ExecPort,
  FaultsPort,
  FiringAlert,
  MetricsPort,
  RoutingPort,
  SilencesPort,
  SimulatorFault,
} from './ports';

const TIMEOUT_MS = 5000;

/** Tries each Prometheus of the pair in turn; throws only when none answers. */
export function prometheusPort(urls: string[]): MetricsPort {
  return {
    async query(promql) {
      if (!urls.length) throw new Error('no Prometheus configured (--prometheus)');
      const errors: string[] = [];
      for (const url of urls) {
        try {
          return await instantQuery(url, promql, TIMEOUT_MS);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
      throw new Error(errors.join('; '));
    },
  };
}

interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  status?: { state?: string };
}

function quote(v: string): string {
  return JSON.stringify(v);
}

export function alertmanagerAlertsPort(urls: string[]): AlertsPort {
  async function get(filters: string[]): Promise<AmAlert[]> {
    const errors: string[] = [];
    for (const url of urls) {
      const qs = filters.map((f) => `filter=${encodeURIComponent(f)}`).join('&');
      try {
        const res = await fetch(`${url}/api/v2/alerts?${qs}`, {
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return (await res.json()) as AmAlert[];
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    throw new Error(`no Alertmanager answered (${errors.join('; ') || 'none configured'})`);
  }
  const shape = (a: AmAlert): FiringAlert => ({ labels: a.labels, startsAt: a.startsAt });
  return {
    async firing(alertname, labels) {
      const filters = [
        `alertname=${quote(alertname)}`,
        ...Object.entries(labels).map(([k, v]) => `${k}=${quote(v)}`),
      ];
      return (await get(filters)).map(shape);
    },
    async pages() {
      return (await get(['severity="page"']))
        .filter((a) => a.status?.state !== 'suppressed')
        .map(shape);
    },
  };
}

export function silencesPort(am: AlertmanagerClient): SilencesPort {
  return { create: (req) => am.createSilence(req), expire: (id) => am.expireSilence(id) };
}

export function simulatorFaultsPort(url: string): FaultsPort {
  const base = url.replace(/\/$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: string };
    if (res.status === 404 && method === 'DELETE') return undefined;
    if (!res.ok)
      throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${json.error ?? ''}`.trim());
    return json;
  }
  return {
    url: base,
    async inject(req) {
      return (await call('POST', '/faults', {
        node: req.node,
        kind: req.kind,
        duration: `${Math.ceil(req.durationMs / 1000)}s`,
        params: req.params,
      })) as SimulatorFault;
    },
    async list() {
      return ((await call('GET', '/faults')) as { faults: SimulatorFault[] }).faults;
    },
    async remove(id) {
      await call('DELETE', `/faults/${encodeURIComponent(id)}`);
    },
  };
}

export function engineRoutingPort(engine: Engine): RoutingPort {
  return {
    snapshot() {
      const out: Record<string, Record<string, BackendState>> = {};
      for (const [pool, backends] of Object.entries(engine.snapshot().routing))
        for (const [b, rec] of Object.entries(backends)) (out[pool] ??= {})[b] = rec.state;
      return out;
    },
    set: (pool, backend, to, reason, actor) => engine.setManual(pool, backend, to, reason, actor),
    killSwitch: () => engine.snapshot().killSwitch.enabled,
  };
}

export function shellExecPort(timeoutMs = 60_000): ExecPort {
  return {
    async run(command, env) {
      const r = await run('/bin/sh', ['-c', command], {
        env: { ...process.env, ...env },
        timeoutMs,
      });
      if (r.code !== 0)
        throw new Error(`"${command}" exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
    },
  };
}

/** Grafana's HTTP annotation API (POST /api/annotations) with a service-account token. */
export function grafanaAnnotationsPort(url: string, token: string): AnnotationsPort {
  const base = url.replace(/\/$/, '');
  return {
    async annotate(a) {
      const res = await fetch(`${base}/api/annotations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(a),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`Grafana annotations: HTTP ${res.status}`);
    },
  };
}
