// Small HTTP helpers for e2e tests against the local stack (loopback only).
export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface PromResponse<T> {
  status: string;
  data: T;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Instant query against a Prometheus; returns the vector. */
export async function promQuery(base: string, query: string): Promise<PromSample[]> {
  const url = `${base}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = await getJson<PromResponse<{ result: PromSample[] }>>(url);
  return body.data.result;
}
