// Prometheus HTTP API through Grafana's datasource proxy.
import { datasourceProxy } from '../constants';
import { requestJson } from './backend';
import { ApiError } from './errors';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}
export interface Series {
  labels: Labels;
  /** [unix seconds, value] */
  points: Array<[number, number]>;
}

interface PromEnvelope<T> {
  status: 'success' | 'error';
  data?: { resultType: string; result: T };
  error?: string;
  errorType?: string;
}
type VectorResult = Array<{ metric: Labels; value: [number, string] }>;
type MatrixResult = Array<{ metric: Labels; values: Array<[number, string]> }>;

function unwrap<T>(env: PromEnvelope<T>, expr: string): T {
  if (env.status !== 'success' || !env.data) {
    throw new ApiError(
      'prometheus',
      undefined,
      `Prometheus rejected a query (${env.errorType ?? 'error'})`,
      `${env.error ?? 'no detail'} — in: ${expr}`,
    );
  }
  return env.data.result;
}

export interface RecordingRule {
  name: string;
  query: string;
  labels: Labels;
}

export interface PromClient {
  /** Recording rules loaded in Prometheus (GET /api/v1/rules?type=record). */
  recordingRules(signal?: AbortSignal): Promise<RecordingRule[]>;
  instant(expr: string, time: number, signal?: AbortSignal): Promise<Sample[]>;
  range(
    expr: string,
    start: number,
    end: number,
    stepSeconds: number,
    signal?: AbortSignal,
  ): Promise<Series[]>;
}

export function prometheusClient(uid: string): PromClient {
  const base = `${datasourceProxy(uid)}/api/v1`;
  return {
    async recordingRules(signal) {
      const env = await requestJson<
        PromEnvelope<unknown> & {
          data?: {
            groups?: Array<{
              rules?: Array<{ name?: string; query?: string; labels?: Labels; type?: string }>;
            }>;
          };
        }
      >('prometheus', `${base}/rules`, { params: { type: 'record' }, signal });
      if (env.status !== 'success') {
        throw new ApiError('prometheus', undefined, 'Prometheus did not list its rules', env.error);
      }
      return (env.data?.groups ?? []).flatMap((g) =>
        (g.rules ?? [])
          .filter((r) => r.type === undefined || r.type === 'recording')
          .map((r) => ({ name: r.name ?? '', query: r.query ?? '', labels: r.labels ?? {} })),
      );
    },
    async instant(expr, time, signal) {
      const env = await requestJson<PromEnvelope<VectorResult>>('prometheus', `${base}/query`, {
        params: { query: expr, time: time.toFixed(3) },
        signal,
      });
      return unwrap(env, expr).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    },
    async range(expr, start, end, stepSeconds, signal) {
      const env = await requestJson<PromEnvelope<MatrixResult>>(
        'prometheus',
        `${base}/query_range`,
        {
          params: { query: expr, start: start.toFixed(3), end: end.toFixed(3), step: stepSeconds },
          signal,
        },
      );
      return unwrap(env, expr).map((r) => ({
        labels: r.metric,
        points: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
      }));
    },
  };
}

/** Version of the Prometheus behind the datasource, as a health check. */
export async function prometheusBuildInfo(uid: string): Promise<string> {
  const env = await requestJson<{ status: string; data?: { version?: string } }>(
    'prometheus',
    `${datasourceProxy(uid)}/api/v1/status/buildinfo`,
  );
  if (env.status !== 'success') {
    throw new ApiError('prometheus', undefined, 'Prometheus answered without build info');
  }
  return env.data?.version ?? 'unknown version';
}
