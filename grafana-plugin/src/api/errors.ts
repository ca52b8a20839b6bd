import { isFetchError } from '@grafana/runtime';

/** Which upstream a failed request was meant for, so the page can say what is down. */
export type Upstream = 'prometheus' | 'controller' | 'grafana';

const UPSTREAM_NAMES: Record<Upstream, string> = {
  prometheus: 'Prometheus',
  controller: 'okome-controller',
  grafana: 'Grafana',
};

/** A request that failed, with a sentence an SRE can act on. */
export class ApiError extends Error {
  constructor(
    readonly upstream: Upstream,
    readonly status: number | undefined,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function detailOf(data: unknown): string | undefined {
  if (typeof data === 'string') return data.slice(0, 300) || undefined;
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    const parts = [d.error, d.detail, d.message].filter(
      (p): p is string => typeof p === 'string' && p.length > 0,
    );
    if (parts.length) return [...new Set(parts)].join(': ');
  }
  return undefined;
}

/** Turns whatever getBackendSrv().fetch threw into an ApiError naming the upstream. */
export function toApiError(upstream: Upstream, url: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const name = UPSTREAM_NAMES[upstream];
  if (isFetchError(err)) {
    const detail = detailOf(err.data) ?? err.message ?? err.statusText;
    const status = err.status;
    let message: string;
    if (status === 401 || status === 403) {
      message = `${name} refused the request (${status}): check the token in the plugin configuration`;
    } else if (status === 502 || status === 503 || status === 504) {
      message = `${name} is unreachable (${status})`;
    } else if (status === 404) {
      message = `${name} has no ${url.replace(/^.*\/(api\/v1\/)/, '$1')} (404)`;
    } else if (status >= 400) {
      message = `${name} answered ${status}${err.statusText ? ` ${err.statusText}` : ''}`;
    } else {
      message = `${name} could not be reached`;
    }
    return new ApiError(upstream, status || undefined, message, detail);
  }
  const text = err instanceof Error ? err.message : String(err);
  return new ApiError(upstream, undefined, `${name} could not be reached`, text);
}
