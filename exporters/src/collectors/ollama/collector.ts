// The ollama collector: polls /api/version, /api/ps and /api/tags at scrape time, and with
// --ollama.tap.listen runs a tap in front of Ollama whose final NDJSON objects feed throughput
// counters and histograms.
import type { Registry } from 'prom-client';
import type { Inventory, InventoryNode } from '@okome/provisioning';
import { provisioning } from '../../provisioning-lazy';
import type {
  Collector,
  CollectorDefinition,
  CollectorEnv,
  ScrapeContext,
} from '../../core/collector';
import { FlagError } from '../../core/flags';
import { promClient } from '../../core/prom-client-lazy';
import type { FlagValue, Options } from '../../core/flags';
import type { Logger } from '../../core/logger';
import { createTap } from '../../tap/tap';
import type { Tap } from '../../tap/tap';
import { parseListenAddress } from '../../core/address';
import { fetchRunning, fetchTags, fetchVersion } from './api';
import { ModelLabels } from './models';
import { OllamaTapMetrics } from './tap-metrics';

export interface OllamaCollectorConfig {
  readonly url: string;
  readonly tapListen?: string;
  readonly tapIdleTimeoutMs: number;
  readonly knownModels: readonly string[];
  readonly maxModels: number;
}

export function ollamaConfigFromOptions(o: Options): OllamaCollectorConfig {
  const url = o.string('ollama.url') ?? 'http://127.0.0.1:11434';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FlagError(`--ollama.url: "${url}" is not a URL (e.g. http://127.0.0.1:11434)`);
  }
  if (parsed.protocol !== 'http:') throw new FlagError(`--ollama.url: "${url}" must be http://`);
  const tapListen = o.string('ollama.tap.listen');
  if (tapListen) parseListenAddress(tapListen, '--ollama.tap.listen');
  return {
    url: parsed.toString(),
    tapListen,
    tapIdleTimeoutMs: o.duration('ollama.tap.idle-timeout') ?? 300_000,
    knownModels: o.list('ollama.models'),
    maxModels: o.number('ollama.max-models') ?? 50,
  };
}

/*
 * With an inventory the throughput tap listens on the node's address at the Ollama port plus
 * OLLAMA_TAP_PORT_OFFSET (11434 → 31434; defined in @okome/provisioning, re-exported by
 * ./index); the token-latency tap (+10000) forwards to it, so one request is seen by both.
 * `--ollama.tap.listen=` (empty) turns it off.
 */

/** The Ollama service the ollama collector (and its throughput tap) fronts: the node's first. */
export function tappedOllamaService(
  node: InventoryNode,
): InventoryNode['services'][number] | undefined {
  return node.services.find((s) => s.kind === 'ollama');
}

/** The node's first ollama service → its URL, tap address and models; undefined when none. */
export function ollamaOptionsFromInventory(
  node: InventoryNode,
  inventory: Inventory,
): Map<string, FlagValue> | undefined {
  const svc = tappedOllamaService(node);
  if (!svc) return undefined;
  const host = node.address.includes(':') ? `[${node.address}]` : node.address;
  const models = new Set([
    ...(svc.models ?? []),
    ...inventory.models.filter((m) => m.engine === 'ollama').map((m) => m.name),
  ]);
  const m = new Map<string, FlagValue>([
    ['ollama.url', `http://${host}:${svc.port}`],
    ['ollama.models', [...models]],
  ]);
  const tapPort = provisioning().ollamaTapPort(svc);
  if (tapPort) m.set('ollama.tap.listen', `${host}:${tapPort}`);
  return m;
}

const UP = {
  name: 'ollama_up',
  help: '1 when the Ollama API answered /api/version, /api/ps and /api/tags.',
};

export class OllamaCollector implements Collector {
  readonly name = 'ollama';
  readonly up = UP;
  readonly registry: Registry;
  private readonly tapMetrics: OllamaTapMetrics;
  private tap?: Tap;

  constructor(
    readonly config: OllamaCollectorConfig,
    private readonly logger?: Logger,
  ) {
    this.tapMetrics = new OllamaTapMetrics(
      new ModelLabels(new Set(config.knownModels), config.maxModels),
    );
    this.registry = this.tapMetrics.registry;
  }

  /** The tap's address once started (tap mode only). */
  get tapUrl(): string | undefined {
    return this.tap?.url;
  }

  async start(): Promise<void> {
    if (!this.config.tapListen) return;
    this.tap = await createTap({
      listen: this.config.tapListen,
      upstream: this.config.url,
      name: 'ollama',
      observer: this.tapMetrics.observer(),
      idleTimeoutMs: this.config.tapIdleTimeoutMs,
      logger: this.logger,
    });
  }

  async stop(): Promise<void> {
    await this.tap?.close();
    this.tap = undefined;
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const base = this.config.url;
    const [version, running, tags] = await Promise.allSettled([
      fetchVersion(base, ctx.signal),
      fetchRunning(base, ctx.signal),
      fetchTags(base, ctx.signal),
    ]);
    const failed = [version, running, tags].find((r) => r.status === 'rejected');
    if (failed && version.status === 'rejected') throw version.reason;

    const { Gauge } = promClient();
    const g = (name: string, help: string, labelNames: string[] = ['model']) =>
      new Gauge({ name, help, labelNames, registers: [ctx.registry] });
    if (version.status === 'fulfilled')
      g('ollama_build_info', 'Ollama server version; always 1.', ['version']).set(
        { version: version.value },
        1,
      );

    const loaded = g(
      'ollama_model_loaded',
      '1 for models loaded in memory (/api/ps), 0 for models only on disk (/api/tags).',
    );
    if (tags.status === 'fulfilled') {
      g('ollama_models_available', 'Models on disk (/api/tags).', []).set(tags.value.length);
      const size = g('ollama_model_size_bytes', 'Model size on disk (/api/tags size).');
      for (const t of tags.value) {
        loaded.set({ model: t.name }, 0);
        if (typeof t.size === 'number') size.set({ model: t.name }, t.size);
      }
    }
    if (running.status === 'fulfilled') {
      const vram = g('ollama_model_vram_bytes', 'Model memory on the GPU (/api/ps size_vram).');
      const expires = g(
        'ollama_model_expires_at_timestamp_seconds',
        'When Ollama unloads the model if idle (/api/ps expires_at).',
      );
      for (const m of running.value) {
        loaded.set({ model: m.name }, 1);
        if (typeof m.size_vram === 'number') vram.set({ model: m.name }, m.size_vram);
        const at = m.expires_at ? Date.parse(m.expires_at) : NaN;
        if (Number.isFinite(at)) expires.set({ model: m.name }, at / 1000);
      }
    }
    if (failed) ctx.fail((failed as PromiseRejectedResult).reason);
  }

  describe(): string[] {
    const lines = [`api: ${this.config.url}`];
    if (this.config.tapListen)
      lines.push(`tap: ${this.tap?.url ?? this.config.tapListen} → ${this.config.url}`);
    return lines;
  }
}

export const ollamaCollector: CollectorDefinition = {
  name: 'ollama',
  help: 'Ollama models and throughput: /api polling, and a streaming tap in front of Ollama.',
  defaultEnabled: false,
  roles: ['gpu-core', 'gpu-worker', 'cpu-worker'],
  flags: [
    {
      name: 'ollama.url',
      type: 'string',
      help: 'Ollama API base URL.',
      default: 'http://127.0.0.1:11434',
      placeholder: 'URL',
    },
    {
      name: 'ollama.tap.listen',
      type: 'string',
      help: 'Run the throughput tap: a streaming reverse proxy to --ollama.url on this host:port; clients use it instead of Ollama.',
      placeholder: 'ADDR',
    },
    {
      name: 'ollama.tap.idle-timeout',
      type: 'duration',
      help: 'Upstream silence after which the tap gives up on a request (504, or cut mid-stream).',
      default: '5m',
    },
    {
      name: 'ollama.models',
      type: 'list',
      help: 'Model names always kept as label values (others count up to --ollama.max-models, then as "other").',
      placeholder: 'MODELS',
    },
    {
      name: 'ollama.max-models',
      type: 'number',
      help: 'Distinct unknown model label values before "other".',
      default: 50,
    },
  ],
  fromInventory: ollamaOptionsFromInventory,
  create: (o: Options, env: CollectorEnv) =>
    new OllamaCollector(ollamaConfigFromOptions(o), env.logger),
};
