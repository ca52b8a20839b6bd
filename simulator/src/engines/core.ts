// The token clock shared by the fake engines: queueing on concurrency slots, model load,
// prompt evaluation (first-token delay) and decode at the profile's rate, slowed by batch
// size and by the faults acting on the node.
import { sleep } from '../util/time';
import type { ServiceContext } from './context';
import type { EngineModels, ModelProfile } from './profile';
import { Slots } from './slots';
import { answerFor, countTokens } from './text';
import type { EngineKind } from '@okome/provisioning';

export type EngineFailure = 'oom' | 'gpu-lost';

/** The engine cannot serve: raised before the first token or in the middle of a stream. */
export class EngineFault extends Error {
  constructor(
    readonly failure: EngineFailure,
    readonly afterTokens: number,
  ) {
    super(failure === 'oom' ? 'CUDA out of memory' : 'GPU is lost');
    this.name = 'EngineFault';
  }
}

export interface GenerationRequest {
  /** The name the client asked for. */
  requested: string;
  model: ModelProfile;
  prompt: string;
  maxTokens?: number;
}

export interface GenerationResult {
  model: ModelProfile;
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
  /** All in nanoseconds, as Ollama reports them. */
  loadNs: number;
  promptEvalNs: number;
  evalNs: number;
  /** Of evalNs, the first token's decode step (vLLM counts it in prefill, Ollama in eval). */
  firstStepNs: number;
  totalNs: number;
  queueSeconds: number;
  ttftSeconds: number;
  tokenGapsSeconds: number[];
}

/** Called per token; return a promise to apply backpressure. */
export type TokenSink = (text: string, index: number) => Promise<void> | void;

const nowNs = () => process.hrtime.bigint();
const nsSince = (t: bigint) => Number(process.hrtime.bigint() - t);

export class EngineCore {
  readonly slots: Slots;
  /** Models resident on the GPU: name → last use (ms). */
  readonly loaded = new Map<string, number>();
  private completed = 0;

  constructor(
    readonly kind: EngineKind,
    readonly ctx: ServiceContext,
    readonly models: EngineModels,
    /** Observer for engine metrics (vLLM /metrics). */
    readonly onFinish?: (r: GenerationResult) => void,
  ) {
    const capacity = Math.max(...models.own.map((m) => m.concurrency));
    this.slots = new Slots(capacity);
    // The first model is warm when the engine starts, as after `ollama run` / vLLM start-up.
    const first = models.own[0];
    if (first) this.loaded.set(first.name, Date.now());
  }

  get running(): number {
    return this.slots.running;
  }

  get waiting(): number {
    return this.slots.waiting;
  }

  get requestsCompleted(): number {
    return this.completed;
  }

  resolve(name: string | undefined): ModelProfile | undefined {
    if (!name) return undefined;
    return this.models.accepted.get(name) ?? this.models.accepted.get(name.replace(/:latest$/, ''));
  }

  loadedMiB(): number {
    let sum = 0;
    for (const name of this.loaded.keys()) {
      const m = this.models.own.find((x) => x.name === name);
      if (m) sum += m.sizeMiB;
    }
    return sum;
  }

  private checkGpu(tokens: number): void {
    const e = this.ctx.effects();
    if (this.kind === 'tensorflow' && !e.gpuLost) return;
    if (e.gpuLost) throw new EngineFault('gpu-lost', tokens);
    if (e.gpuOom) throw new EngineFault('oom', tokens);
  }

  async generate(
    req: GenerationRequest,
    signal: AbortSignal,
    sink: TokenSink,
  ): Promise<GenerationResult> {
    const start = nowNs();
    this.checkGpu(0);
    const release = await this.slots.acquire(signal);
    try {
      const queueSeconds = nsSince(start) / 1e9;
      const random = this.ctx.random;
      const jitter = (spread: number) => 1 + (random() * 2 - 1) * spread;

      let loadNs = Math.round(2e6 + random() * 4e6);
      if (!this.loaded.has(req.model.name)) {
        // Loading weights from disk at ~4 GB/s, capped so tests never wait long.
        const loadMs = Math.min(4000, req.model.sizeMiB / 4);
        await sleep(loadMs, signal);
        loadNs = Math.round(loadMs * 1e6);
        if (this.kind === 'ollama') this.loaded.clear(); // one model resident at a time
      }
      this.loaded.set(req.model.name, Date.now());

      const promptTokens = countTokens(req.prompt);
      const batch = Math.max(1, this.slots.running);
      const effects = this.ctx.effects();
      const prefillMs =
        req.model.firstTokenMs *
          jitter(0.08) *
          (1 + promptTokens / 4000) *
          (1 + 0.12 * (batch - 1)) +
        effects.latencyMs;
      // Real Ollama reports eval_count tokens over eval_duration, each token one decode step:
      // the first token's step is the tail of the first-token delay, so the time to first
      // token stays the profile's and eval_duration covers n steps (tokens/s = the profile).
      const perTokenMs = () =>
        (1000 / req.model.tokensPerSecond) * (1 + 0.04 * (Math.max(1, this.slots.running) - 1));
      const firstStepMs = perTokenMs() * jitter(0.06);
      const prefillStart = nowNs();
      await sleep(prefillMs - firstStepMs, signal);
      await this.ctx.gate(signal);
      this.checkGpu(0);
      const promptEvalNs = nsSince(prefillStart);

      const answer = answerFor(req.model.name, req.prompt, req.maxTokens);
      const evalStart = nowNs();
      const gaps: number[] = [];
      let ttftSeconds = 0;
      let firstStepNs = 0;
      let last = nowNs();
      // Token deadlines are kept on a schedule (not sleep after sleep) so timer lag on a busy
      // machine does not slow the decode rate below the profile's.
      let due = performance.now();
      for (let i = 0; i < answer.tokens.length; i++) {
        due += i === 0 ? firstStepMs : perTokenMs() * jitter(0.06);
        await sleep(due - performance.now(), signal);
        await this.ctx.gate(signal);
        // After a partition heals, tokens resume at the normal pace, not in a burst.
        if (performance.now() - due > 1000) due = performance.now();
        this.checkGpu(i);
        const t = nowNs();
        if (i === 0) {
          ttftSeconds = Number(t - start) / 1e9;
          firstStepNs = Number(t - evalStart);
        } else gaps.push(Number(t - last) / 1e9);
        last = t;
        await sink(answer.tokens[i] as string, i);
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
      }
      const result: GenerationResult = {
        model: req.model,
        text: answer.tokens.join(''),
        promptTokens,
        completionTokens: answer.tokens.length,
        finishReason: answer.truncated ? 'length' : 'stop',
        loadNs,
        promptEvalNs,
        evalNs: nsSince(evalStart),
        firstStepNs,
        totalNs: nsSince(start),
        queueSeconds,
        ttftSeconds,
        tokenGapsSeconds: gaps,
      };
      this.completed++;
      this.onFinish?.(result);
      return result;
    } finally {
      release();
    }
  }
}
