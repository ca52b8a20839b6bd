// The only module that calls getBackendSrv(): every request of the plugin goes through Grafana's
// APIs (datasource proxy, plugin proxy, plugin settings), so the browser never holds a secret.
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { toApiError } from './errors';
import type { Upstream } from './errors';

export interface RequestOptions {
  method?: 'GET' | 'POST';
  params?: Record<string, string | number>;
  data?: unknown;
  signal?: AbortSignal;
}

export async function requestJson<T>(
  upstream: Upstream,
  url: string,
  opts: RequestOptions = {},
): Promise<T> {
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url,
        method: opts.method ?? 'GET',
        params: opts.params,
        data: opts.data,
        abortSignal: opts.signal,
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    return res.data;
  } catch (err) {
    throw toApiError(upstream, url, err);
  }
}
