// Alertmanager v2 silences for the alerts a routing change is expected to cause.
// Silences gossip between clustered peers, so creating on the first reachable peer suffices.
// TODO(alerting): switch to @okome/alerting's createSilence/expireSilence once exported.

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface SilenceRequest {
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

export class AlertmanagerClient {
  constructor(
    readonly urls: string[],
    private readonly timeoutMs = 3000,
  ) {}

  /** Creates the silence on the first peer that accepts it; returns its id. */
  async createSilence(s: SilenceRequest): Promise<string> {
    const errors: string[] = [];
    for (const base of this.urls) {
      try {
        const res = await request(
          `${base.replace(/\/$/, '')}/api/v2/silences`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(s),
          },
          this.timeoutMs,
        );
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
        const body = (await res.json()) as { silenceID?: string };
        if (!body.silenceID) throw new Error('answer has no silenceID');
        return body.silenceID;
      } catch (err) {
        errors.push(`${base}: ${(err as Error).message}`);
      }
    }
    throw new Error(
      `no Alertmanager accepted the silence (${errors.join('; ') || 'none configured'})`,
    );
  }

  /** Expires the silence; a 404 (already gone) counts as done. */
  async expireSilence(id: string): Promise<void> {
    const errors: string[] = [];
    for (const base of this.urls) {
      try {
        const res = await request(
          `${base.replace(/\/$/, '')}/api/v2/silence/${encodeURIComponent(id)}`,
          { method: 'DELETE' },
          this.timeoutMs,
        );
        if (res.ok || res.status === 404) return;
        throw new Error(`HTTP ${res.status}`);
      } catch (err) {
        errors.push(`${base}: ${(err as Error).message}`);
      }
    }
    throw new Error(
      `could not expire silence ${id} (${errors.join('; ') || 'no Alertmanager configured'})`,
    );
  }
}
