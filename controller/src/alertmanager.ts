// Silences on a clustered Alertmanager pair, over @okome/alerting's v2 client. Silences gossip
// between peers, so creating on the first reachable peer suffices; expiring tries each.
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
}
