// Silences on a clustered Alertmanager pair, over @okome/alerting's v2 client. Silences gossip
// between peers, so creating on the first reachable peer suffices; expiring tries each.
// Alerts do not gossip (each Prometheus sends to every peer), so the active set is the union.
import { AlertmanagerError, createSilence, expireSilence } from '@okome/alerting';
import type { SilenceRequest } from '@okome/alerting';

export type { SilenceRequest };

export class AlertmanagerClient {
  constructor(readonly urls: string[]) {}

  /** Creates the silence on the first peer that accepts it; returns its id. */
  async createSilence(s: SilenceRequest): Promise<string> {
    const errors: string[] = [];
    for (const url of this.urls) {
      try {
        return await createSilence(url, s);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    throw new Error(
      `no Alertmanager accepted the silence (${errors.join('; ') || 'none configured'})`,
    );
  }

  /** Expires the silence; one already gone (404) counts as done. */
  async expireSilence(id: string): Promise<void> {
    const errors: string[] = [];
    for (const url of this.urls) {
      try {
        return await expireSilence(url, id);
      } catch (err) {
        if (err instanceof AlertmanagerError && err.status === 404) return;
        errors.push((err as Error).message);
      }
    }
    throw new Error(
      `could not expire silence ${id} (${errors.join('; ') || 'no Alertmanager configured'})`,
    );
  }

  /**
   * Fingerprints of the routing alerts still active (firing, silenced or inhibited) on any peer
   * that answered. Throws when none answered: then nothing can be concluded.
   */
  async activeRoutingFingerprints(actionLabel: string): Promise<Set<string>> {
    const errors: string[] = [];
    const active = new Set<string>();
    let answered = 0;
    const filter = encodeURIComponent(`${actionLabel}=~".+"`);
    for (const url of this.urls) {
      const target = `${url.replace(/\/+$/, '')}/api/v2/alerts?filter=${filter}`;
      try {
        const res = await fetch(target, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`${target}: HTTP ${res.status}`);
        for (const a of (await res.json()) as { fingerprint?: string }[])
          if (a.fingerprint) active.add(a.fingerprint);
        answered++;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (!answered)
      throw new Error(`no Alertmanager answered (${errors.join('; ') || 'none configured'})`);
    return active;
  }
}
