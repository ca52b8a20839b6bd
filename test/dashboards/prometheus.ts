// A minimal Prometheus HTTP API client for the tests: instant and range queries, the result
// series, and the error text Prometheus returns for a bad query.
export interface PromSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface PromAnswer {
  status: 'success' | 'error';
  error?: string;
  series: PromSeries[];
}

export async function promQuery(
  base: string,
  expr: string,
  opts: { instant: boolean; rangeSeconds?: number; stepSeconds?: number },
): Promise<PromAnswer> {
  const now = Date.now() / 1000;
  const params = new URLSearchParams({ query: expr });
  let path = '/api/v1/query';
  if (!opts.instant) {
    path = '/api/v1/query_range';
    params.set('start', String(now - (opts.rangeSeconds ?? 600)));
    params.set('end', String(now));
    params.set('step', String(opts.stepSeconds ?? 15));
  } else params.set('time', String(now));
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    body: params,
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as {
    status: 'success' | 'error';
    error?: string;
    data?: { result: PromSeries[] | [number, string]; resultType: string };
  };
  if (body.status !== 'success') return { status: 'error', error: body.error, series: [] };
  const data = body.data;
  const series =
    Array.isArray(data?.result) && data?.resultType !== 'scalar'
      ? (data.result as PromSeries[])
      : [];
  return { status: 'success', series };
}

/** True when some series has at least one sample that is a number (not NaN). */
export function hasNumbers(series: PromSeries[]): boolean {
  return series.some((s) =>
    [...(s.value ? [s.value] : []), ...(s.values ?? [])].some(([, v]) => !Number.isNaN(Number(v))),
  );
}
