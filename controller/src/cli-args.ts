// okome-controller's command line → a validated config; every problem names its flag.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEFAULT_HOLD_DOWN,
  DEFAULT_LISTEN,
  DEFAULT_RATE_LIMIT_COUNT,
  RATE_LIMIT_HOLD_DOWNS,
} from './conventions';
import { parseDuration } from './duration';
import { ConfigError } from './errors';

export const CONTROLLER_USAGE = `Usage: okome-controller --inventory FILE --state-dir DIR --token-file FILE [options]

Alertmanager webhook → guarded nginx/HAProxy routing changes, topology API, audit journal.

Options:
  --inventory FILE        cluster inventory (YAML; a shipped cluster name also works)
  --state-dir DIR         where state.json and audit.jsonl live (created, mode 0700)
  --listen ADDR           host:port to listen on (default ${DEFAULT_LISTEN})
  --token-file FILE       bearer token for /api/v1/* (first line of the file)
  --dry-run               plan, check guardrails and journal actions, but change nothing
  --prometheus URL        Prometheus for node health (topology API, min-healthy guardrail)
  --alertmanager URL      Alertmanager for silences; repeat for each peer
  --hold-down DUR         wait after an alert resolves before re-enabling (default ${DEFAULT_HOLD_DOWN})
  --rate-limit N/DUR      at most N changes per pool per DUR; only take-outs are refused
                          (default ${DEFAULT_RATE_LIMIT_COUNT} per ${RATE_LIMIT_HOLD_DOWNS} hold-downs: 10/10m with 60s,
                          so a time-scaled hold-down scales it too)
  --min-healthy-percent P keep at least P % of each pool's backends healthy (default 0;
                          each pool's minHealthy from the inventory always applies)
  -h, --help              show this help

Endpoints: POST /api/v1/alerts, GET /api/v1/routing, POST /api/v1/routing/{pool}/{backend},
GET /api/v1/topology, GET /api/v1/audit, GET|POST /api/v1/kill-switch (bearer token);
/metrics, /-/healthy, /-/ready (open).`;

export interface ControllerArgs {
  inventory: string;
  stateDir: string;
  host: string;
  port: number;
  token: string;
  dryRun: boolean;
  prometheus?: string;
  alertmanagers: string[];
  holdDownMs: number;
  rateLimitCount: number;
  rateLimitWindowMs: number;
  minHealthyPercent: number;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?)?:(\d+)$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--listen: expected [host]:port, got ${JSON.stringify(text)}`);
  return { host: m[1] || '0.0.0.0', port };
}

function url(flag: string, text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return text.replace(/\/$/, '');
  } catch {
    throw new ConfigError(`${flag}: not an http(s) URL: ${JSON.stringify(text)}`);
  }
}

export function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--token-file: cannot read ${path}: ${(err as Error).message}`);
  }
  const token = text.split('\n')[0]?.trim() ?? '';
  if (token.length < 16)
    throw new ConfigError(`--token-file: ${path} holds no token of at least 16 characters`);
  if ((statSync(path).mode & 0o077) !== 0)
    process.stderr.write(
      `okome-controller: warning: ${path} is readable by group/others; chmod 600 it\n`,
    );
  return token;
}

export function parseRateLimit(
  text: string | undefined,
  holdDownMs: number,
): { rateLimitCount: number; rateLimitWindowMs: number } {
  if (text === undefined)
    return {
      rateLimitCount: DEFAULT_RATE_LIMIT_COUNT,
      rateLimitWindowMs: Math.max(1000, RATE_LIMIT_HOLD_DOWNS * holdDownMs),
    };
  const rl = /^(\d+)\/(.+)$/.exec(text);
  const window = rl ? parseDuration(rl[2] as string) : undefined;
  if (!rl || window === undefined || window <= 0 || Number(rl[1]) < 1)
    throw new ConfigError(
      `--rate-limit: expected N/DURATION with N ≥ 1, e.g. 10/10m; got ${JSON.stringify(text)}`,
    );
  return { rateLimitCount: Number(rl[1]), rateLimitWindowMs: window };
}

/** Returns undefined when --help was asked for. */
export function parseControllerArgs(argv: string[]): ControllerArgs | undefined {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        inventory: { type: 'string' },
        'state-dir': { type: 'string' },
        listen: { type: 'string', default: DEFAULT_LISTEN },
        'token-file': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        prometheus: { type: 'string' },
        alertmanager: { type: 'string', multiple: true, default: [] },
        'hold-down': { type: 'string', default: DEFAULT_HOLD_DOWN },
        'rate-limit': { type: 'string' },
        'min-healthy-percent': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (v.help) return undefined;
  for (const flag of ['inventory', 'state-dir', 'token-file'] as const)
    if (!v[flag]) throw new ConfigError(`--${flag} is required (see --help)`);
  const { host, port } = parseListen(v.listen as string);
  const holdDownMs = parseDuration(v['hold-down'] as string);
  if (holdDownMs === undefined)
    throw new ConfigError(
      `--hold-down: not a duration (e.g. 60s, 5m): ${JSON.stringify(v['hold-down'])}`,
    );
  const { rateLimitCount, rateLimitWindowMs } = parseRateLimit(
    v['rate-limit'] as string | undefined,
    holdDownMs,
  );
  const pct = Number(v['min-healthy-percent']);
  if (!Number.isFinite(pct) || pct < 0 || pct > 100)
    throw new ConfigError(
      `--min-healthy-percent: expected 0–100, got ${JSON.stringify(v['min-healthy-percent'])}`,
    );
  return {
    inventory: v.inventory as string,
    stateDir: v['state-dir'] as string,
    host,
    port,
    token: readToken(v['token-file'] as string),
    dryRun: v['dry-run'] as boolean,
    prometheus: v.prometheus ? url('--prometheus', v.prometheus as string) : undefined,
    alertmanagers: (v.alertmanager as string[]).map((a) => url('--alertmanager', a)),
    holdDownMs,
    rateLimitCount,
    rateLimitWindowMs,
    minHealthyPercent: pct,
  };
}
