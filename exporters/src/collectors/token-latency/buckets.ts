// Histogram buckets: vLLM's defaults (vllm/v1/metrics/buckets.py) plus the SLO edges the
// inventories and MLPerf use, so a threshold is a bucket bound and not an interpolation:
// 0.04 s (TPOT, interactive), 0.45 s (TTFT, interactive) and 2.0 s (TTFT, server).
export const SLO_EDGES = [0.04, 0.45, 2.0] as const;

const VLLM_TTFT = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
  40.0, 80.0, 160.0, 640.0, 2560.0,
];
const VLLM_ITL = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
  40.0, 80.0,
];
const VLLM_REQUEST = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
  480.0, 960.0, 1920.0, 7680.0,
];

function withEdges(base: readonly number[]): number[] {
  return [...new Set([...base, ...SLO_EDGES])].sort((a, b) => a - b);
}

export const TTFT_BUCKETS = withEdges(VLLM_TTFT);
/** Inter-token latency and time per output token share vLLM's family. */
export const ITL_BUCKETS = withEdges(VLLM_ITL);
export const E2E_BUCKETS = withEdges(VLLM_REQUEST);
