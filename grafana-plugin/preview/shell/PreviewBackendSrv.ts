// BackendSrv on window.fetch to the preview server, which answers Grafana's URLs. Errors take
// the FetchError shape so isFetchError() and the plugin's error messages work as in Grafana.
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, Observable } from 'rxjs';

export interface RecordedRequest {
  method: string;
  url: string;
  status: number;
}

declare global {
  interface Window {
    __previewRequests?: RecordedRequest[];
  }
}

function buildUrl(req: BackendSrvRequest): string {
  const url = new URL(req.url, window.location.origin);
  for (const [k, v] of Object.entries(req.params ?? {})) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  return url.origin === window.location.origin ? `${url.pathname}${url.search}` : url.toString();
}

async function parse(res: Response, type: BackendSrvRequest['responseType']): Promise<unknown> {
  if (type === 'blob') return res.blob();
  if (type === 'arraybuffer') return res.arrayBuffer();
  const text = await res.text();
  if (type === 'text') return text;
  try {
    return text ? JSON.parse(text) : text;
  } catch {
    return text;
  }
}

export class PreviewBackendSrv implements BackendSrv {
  fetch<T>(req: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((sub) => {
      const ctrl = new AbortController();
      const abort = () => ctrl.abort();
      req.abortSignal?.addEventListener('abort', abort);
      const method = (req.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      let body: BodyInit | undefined;
      if (req.data !== undefined && method !== 'GET') {
        if (
          typeof req.data === 'string' ||
          req.data instanceof FormData ||
          req.data instanceof Blob
        )
          body = req.data;
        else {
          body = JSON.stringify(req.data);
          headers['Content-Type'] ??= 'application/json';
        }
      }
      const url = buildUrl(req);
      window
        .fetch(url, { method, headers, body, signal: ctrl.signal, credentials: 'same-origin' })
        .then(async (res) => {
          const data = (await parse(res, req.responseType)) as T;
          (window.__previewRequests ??= []).push({ method, url, status: res.status });
          if (res.status >= 400) {
            const err: FetchError = {
              status: res.status,
              statusText: res.statusText,
              data,
              config: req,
              message:
                typeof data === 'object' && data && 'message' in data
                  ? String((data as { message: unknown }).message)
                  : res.statusText,
            };
            sub.error(err);
            return;
          }
          sub.next({
            data,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: req,
          });
          sub.complete();
        })
        .catch((e: unknown) => {
          if (ctrl.signal.aborted) {
            sub.error({
              status: -1,
              data: undefined,
              config: req,
              cancelled: true,
              message: 'Request cancelled',
            } satisfies FetchError);
            return;
          }
          sub.error({
            status: 0,
            statusText: 'Network error',
            data: String(e),
            config: req,
            message: String(e),
          } satisfies FetchError);
        })
        .finally(() => req.abortSignal?.removeEventListener('abort', abort));
      return () => ctrl.abort();
    });
  }

  async get<T>(
    url: string,
    params?: Record<string, unknown>,
    _requestId?: string,
    options?: Partial<BackendSrvRequest>,
  ): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ ...options, url, params, method: 'GET' }))).data;
  }
  async delete<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ ...options, url, data, method: 'DELETE' }))).data;
  }
  async post<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ ...options, url, data, method: 'POST' }))).data;
  }
  async patch<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ ...options, url, data, method: 'PATCH' }))).data;
  }
  async put<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ ...options, url, data, method: 'PUT' }))).data;
  }
  async request<T>(options: BackendSrvRequest): Promise<T> {
    return (await lastValueFrom(this.fetch<T>(options))).data;
  }
  datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }
  chunked(options: BackendSrvRequest): Observable<FetchResponse<Uint8Array | undefined>> {
    return this.fetch<Uint8Array | undefined>({ ...options, responseType: 'arraybuffer' });
  }
}
