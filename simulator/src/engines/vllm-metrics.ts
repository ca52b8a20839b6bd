// vLLM's own /metrics names, labels and default buckets (vllm/v1/metrics), so engine-side
// numbers can be cross-checked against the hop taps.
import type { EngineCore, GenerationResult } from './core';
import { Counter, Gauge, Histogram } from './exposition';

const TTFT = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
  40.0, 80.0, 160.0, 640.0, 2560.0,
];
const ITL = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
  40.0, 80.0,
];
const REQ = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
  480.0, 960.0, 1920.0, 7680.0,
];
const TOKENS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];

export class VllmMetrics {
  private readonly promptTokens = new Counter(
    'vllm:prompt_tokens_total',
    'Number of prefill tokens processed.',
  );
  private readonly generationTokens = new Counter(
    'vllm:generation_tokens_total',
    'Number of generation tokens processed.',
  );
  private readonly success = new Counter(
    'vllm:request_success_total',
    'Count of successfully processed requests.',
  );
  private readonly preemptions = new Counter(
    'vllm:num_preemptions_total',
    'Cumulative number of preemption from the engine.',
  );
  private readonly prefixQueries = new Counter(
    'vllm:prefix_cache_queries_total',
    'Prefix cache queries, in terms of number of queried tokens.',
  );
  private readonly prefixHits = new Counter(
    'vllm:prefix_cache_hits_total',
    'Prefix cache hits, in terms of number of cached tokens.',
  );
  private readonly ttft = new Histogram(
    'vllm:time_to_first_token_seconds',
    'Histogram of time to first token in seconds.',
    TTFT,
  );
  private readonly itl = new Histogram(
    'vllm:inter_token_latency_seconds',
    'Histogram of inter-token latency in seconds.',
    ITL,
  );
  private readonly tpot = new Histogram(
    'vllm:request_time_per_output_token_seconds',
    'Histogram of time_per_output_token_seconds per request.',
    ITL,
  );
  private readonly e2e = new Histogram(
    'vllm:e2e_request_latency_seconds',
    'Histogram of e2e request latency in seconds.',
    REQ,
  );
  private readonly queue = new Histogram(
    'vllm:request_queue_time_seconds',
    'Histogram of time spent in WAITING phase for request.',
    REQ,
  );
  private readonly inference = new Histogram(
    'vllm:request_inference_time_seconds',
    'Histogram of time spent in RUNNING phase for request.',
    REQ,
  );
  private readonly prefill = new Histogram(
    'vllm:request_prefill_time_seconds',
    'Histogram of time spent in PREFILL phase for request.',
    REQ,
  );
  private readonly decode = new Histogram(
    'vllm:request_decode_time_seconds',
    'Histogram of time spent in DECODE phase for request.',
    REQ,
  );
  private readonly promptHist = new Histogram(
    'vllm:request_prompt_tokens',
    'Number of prefill tokens processed.',
    TOKENS,
  );
  private readonly genHist = new Histogram(
    'vllm:request_generation_tokens',
    'Number of generation tokens processed.',
    TOKENS,
  );
  private core?: EngineCore;

  constructor(private readonly modelNames: string[]) {
    for (const model_name of modelNames) {
      const l = { engine: '0', model_name };
      this.promptTokens.zero(l);
      this.generationTokens.zero(l);
      this.preemptions.zero(l);
      this.prefixQueries.zero(l);
      this.prefixHits.zero(l);
      for (const finished_reason of ['stop', 'length', 'abort'])
        this.success.zero({ ...l, finished_reason });
      for (const h of [
        this.ttft,
        this.itl,
        this.tpot,
        this.e2e,
        this.queue,
        this.inference,
        this.prefill,
        this.decode,
        this.promptHist,
        this.genHist,
      ])
        h.zero(l);
    }
  }

  attach(core: EngineCore): void {
    this.core = core;
  }

  record = (r: GenerationResult): void => {
    const l = { engine: '0', model_name: r.model.name };
    this.promptTokens.inc(l, r.promptTokens);
    this.generationTokens.inc(l, r.completionTokens);
    this.prefixQueries.inc(l, r.promptTokens);
    this.success.inc({ ...l, finished_reason: r.finishReason });
    this.ttft.observe(l, r.ttftSeconds);
    for (const g of r.tokenGapsSeconds) this.itl.observe(l, g);
    if (r.completionTokens > 1)
      this.tpot.observe(l, (r.totalNs / 1e9 - r.ttftSeconds) / (r.completionTokens - 1));
    this.e2e.observe(l, r.totalNs / 1e9);
    this.queue.observe(l, r.queueSeconds);
    this.inference.observe(l, r.totalNs / 1e9 - r.queueSeconds);
    // vLLM takes its phases from one set of request timestamps (arrival, scheduled, first token,
    // finished): prefill runs from scheduled to the first token, decode from there to the last,
    // so queue + prefill = TTFT and TTFT + decode = e2e exactly, however late timers fire.
    this.prefill.observe(l, r.ttftSeconds - r.queueSeconds);
    this.decode.observe(l, r.totalNs / 1e9 - r.ttftSeconds);
    this.promptHist.observe(l, r.promptTokens);
    this.genHist.observe(l, r.completionTokens);
  };

  recordAbort(model: string): void {
    this.success.inc({ engine: '0', model_name: model, finished_reason: 'abort' });
  }

  render(): string {
    const core = this.core;
    const per = (value: () => number) => () =>
      this.modelNames.map((model_name) => ({
        labels: { engine: '0', model_name },
        value: value(),
      }));
    const gauges = [
      new Gauge(
        'vllm:num_requests_running',
        'Number of requests in model execution batches.',
        per(() => core?.running ?? 0),
      ),
      new Gauge(
        'vllm:num_requests_waiting',
        'Number of requests waiting to be processed.',
        per(() => core?.waiting ?? 0),
      ),
      new Gauge(
        'vllm:kv_cache_usage_perc',
        'KV-cache usage. 1 means 100 percent usage.',
        per(() => Math.min(1, (core?.running ?? 0) * 0.04)),
      ),
    ];
    const blocks = [
      ...gauges.map((g) => g.render()),
      this.promptTokens.render(),
      this.generationTokens.render(),
      this.success.render(),
      this.preemptions.render(),
      this.prefixQueries.render(),
      this.prefixHits.render(),
      this.ttft.render(),
      this.itl.render(),
      this.tpot.render(),
      this.e2e.render(),
      this.queue.render(),
      this.inference.render(),
      this.prefill.render(),
      this.decode.render(),
      this.promptHist.render(),
      this.genHist.render(),
    ];
    return `${blocks.join('\n')}\n`;
  }
}
