// Alertmanager webhook v4 body → typed alerts. Unknown fields are ignored (newer Alertmanagers
// add some); a missing or ill-typed required field is a ValidationError naming its path.
import { ValidationError } from '../errors';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: WebhookAlert[];
}

const STATUSES = ['firing', 'resolved'] as const;
/** Bounds that keep one request from costing more than any real Alertmanager would send. */
export const MAX_ALERTS = 1000;
const MAX_STRING = 4096;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(obj: Record<string, unknown>, key: string, path: string, required = true): string {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (!required) return '';
    throw new ValidationError(path, 'required field is missing');
  }
  if (typeof v !== 'string') throw new ValidationError(path, `must be a string, got ${typeOf(v)}`);
  if (v.length > MAX_STRING)
    throw new ValidationError(path, `longer than ${MAX_STRING} characters`);
  return v;
}

function status(obj: Record<string, unknown>, path: string): 'firing' | 'resolved' {
  const v = str(obj, 'status', path);
  if (!(STATUSES as readonly string[]).includes(v))
    throw new ValidationError(path, `must be "firing" or "resolved", got ${JSON.stringify(v)}`);
  return v as 'firing' | 'resolved';
}

function labelSet(v: unknown, path: string, required: boolean): Record<string, string> {
  if (v === undefined || v === null) {
    if (required) throw new ValidationError(path, 'required field is missing');
    return {};
  }
  if (!isObject(v)) throw new ValidationError(path, `must be an object, got ${typeOf(v)}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string')
      throw new ValidationError(`${path}.${k}`, `must be a string, got ${typeOf(val)}`);
    out[k] = val;
  }
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function parseWebhook(body: unknown): WebhookPayload {
  if (!isObject(body))
    throw new ValidationError('body', `must be a JSON object, got ${typeOf(body)}`);
  const version = str(body, 'version', 'version');
  if (version !== '4')
    throw new ValidationError(
      'version',
      `unsupported webhook version ${JSON.stringify(version)} (expected "4")`,
    );
  const groupKey = str(body, 'groupKey', 'groupKey');
  const st = status(body, 'status');
  const receiver = str(body, 'receiver', 'receiver', false);
  const rawAlerts = body.alerts;
  if (rawAlerts === undefined) throw new ValidationError('alerts', 'required field is missing');
  if (!Array.isArray(rawAlerts))
    throw new ValidationError('alerts', `must be an array, got ${typeOf(rawAlerts)}`);
  if (rawAlerts.length > MAX_ALERTS)
    throw new ValidationError('alerts', `more than ${MAX_ALERTS} alerts in one notification`);
  const alerts = rawAlerts.map((a: unknown, i): WebhookAlert => {
    const path = `alerts[${i}]`;
    if (!isObject(a)) throw new ValidationError(path, `must be an object, got ${typeOf(a)}`);
    const fingerprint = str(a, 'fingerprint', `${path}.fingerprint`);
    if (!fingerprint) throw new ValidationError(`${path}.fingerprint`, 'must not be empty');
    return {
      status: status(a, `${path}.status`),
      labels: labelSet(a.labels, `${path}.labels`, true),
      annotations: labelSet(a.annotations, `${path}.annotations`, false),
      startsAt: str(a, 'startsAt', `${path}.startsAt`),
      fingerprint,
    };
  });
  return { version, groupKey, status: st, receiver, alerts };
}

/**
 * Identity of one notification about one alert: the same key is acted on once, however often
 * Alertmanager retries or both peers send it. startsAt is part of it so that an alert that
 * resolves and fires again is a new event.
 */
export function dedupeKey(groupKey: string, alert: WebhookAlert): string {
  return `${groupKey}|${alert.fingerprint}|${alert.startsAt}|${alert.status}`;
}
