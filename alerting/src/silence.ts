// Alertmanager silences for drills (API v2 /api/v2/silences); the controller uses these.
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}
export interface SilenceRequest {
  matchers: SilenceMatcher[];
  startsAt?: Date | string;
  endsAt: Date | string;
  createdBy: string;
  comment: string;
}

export class AlertmanagerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AlertmanagerError';
  }
}

const iso = (d: Date | string) => (typeof d === 'string' ? new Date(d) : d).toISOString();
const base = (url: string) => url.replace(/\/+$/, '');

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new AlertmanagerError(`Alertmanager at ${url} unreachable: ${(err as Error).message}`);
  }
}

/** Creates a silence; returns its id. */
export async function createSilence(alertmanagerUrl: string, req: SilenceRequest): Promise<string> {
  if (!req.matchers.length) throw new AlertmanagerError('a silence needs at least one matcher');
  const startsAt = req.startsAt ? iso(req.startsAt) : new Date().toISOString();
  const endsAt = iso(req.endsAt);
  if (Number.isNaN(Date.parse(endsAt)) || Date.parse(endsAt) <= Date.parse(startsAt))
    throw new AlertmanagerError(`endsAt ${endsAt} must be after startsAt ${startsAt}`);
  const body = {
    matchers: req.matchers.map((m) => ({
      name: m.name,
      value: m.value,
      isRegex: m.isRegex ?? false,
      isEqual: m.isEqual ?? true,
    })),
    startsAt,
    endsAt,
    createdBy: req.createdBy,
    comment: req.comment,
  };
  const res = await call(`${base(alertmanagerUrl)}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok)
    throw new AlertmanagerError(
      `Alertmanager refused the silence (${res.status}): ${text.trim()}`,
      res.status,
    );
  const id = (JSON.parse(text) as { silenceID?: string }).silenceID;
  if (!id) throw new AlertmanagerError(`Alertmanager answered without a silenceID: ${text.trim()}`);
  return id;
}

/** Expires a silence now. */
export async function expireSilence(alertmanagerUrl: string, id: string): Promise<void> {
  const res = await call(`${base(alertmanagerUrl)}/api/v2/silence/${encodeURIComponent(id)}`, {
    method: 'DELETE',
  });
  if (!res.ok)
    throw new AlertmanagerError(
      `could not expire silence ${id} (${res.status}): ${(await res.text()).trim()}`,
      res.status,
    );
}

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex`. */
export function parseMatcher(text: string): SilenceMatcher {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(text);
  if (!m)
    throw new AlertmanagerError(
      `not a matcher: "${text}" (expected name=value, name!=value, name=~regex or name!~regex)`,
    );
  const op = m[2] as string;
  return {
    name: m[1] as string,
    value: m[3] as string,
    isRegex: op.includes('~'),
    isEqual: !op.startsWith('!'),
  };
}
