// Minimal Prometheus HTTP API client: instant queries with a timeout, errors as exceptions.

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export async function instantQuery(
  baseUrl: string,
  query: string,
  timeoutMs = 3000,
): Promise<Sample[]> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json().catch(() => undefined)) as
    | { status?: string; error?: string; data?: { resultType?: string; result?: unknown[] } }
    | undefined;
  if (!res.ok || body?.status !== 'success')
    throw new Error(`Prometheus ${res.status}: ${body?.error ?? 'unexpected answer'} for ${query}`);
  if (body.data?.resultType !== 'vector') return [];
  return (body.data.result ?? []).map((r) => {
    const s = r as { metric: Record<string, string>; value: [number, string] };
    return { metric: s.metric, value: Number(s.value[1]) };
  });
}
