// Model profiles from the inventory: decode speed, first-token delay and concurrency, with the
// per-node overrides seed 001 quotes (a 72B at 2.8 tok/s on one node and 2.9 on the other).
import type { EngineKind, Inventory, InventoryNode, Model, Service } from '@okome/provisioning';

export interface ModelProfile {
  name: string;
  engine: EngineKind;
  parameters: string;
  sizeMiB: number;
  tokensPerSecond: number;
  firstTokenMs: number;
  concurrency: number;
}

const FALLBACK: Record<EngineKind, Omit<ModelProfile, 'name' | 'engine'>> = {
  vllm: {
    parameters: '7B',
    sizeMiB: 13500,
    tokensPerSecond: 60,
    firstTokenMs: 120,
    concurrency: 8,
  },
  ollama: {
    parameters: '7B',
    sizeMiB: 4700,
    tokensPerSecond: 30,
    firstTokenMs: 300,
    concurrency: 1,
  },
  tensorflow: {
    parameters: '',
    sizeMiB: 900,
    tokensPerSecond: 200,
    firstTokenMs: 15,
    concurrency: 4,
  },
};

export function profileFor(model: Model, nodeId: string): ModelProfile {
  const over = model.perNode.find((p) => p.node === nodeId);
  return {
    name: model.name,
    engine: model.engine,
    parameters: model.parameters ?? '',
    sizeMiB: model.sizeMiB,
    tokensPerSecond: over?.tokensPerSecond ?? model.tokensPerSecond,
    firstTokenMs: over?.firstTokenMs ?? model.firstTokenMs,
    concurrency: model.concurrency,
  };
}

/** A served name that this engine answers with another model (vLLM --served-model-name). */
export interface EngineModels {
  own: ModelProfile[];
  /** Accepted name → the model that actually answers. */
  accepted: Map<string, ModelProfile>;
}

/**
 * Models of one engine service: its own, plus as aliases the models of the pools it backs,
 * so a backup engine answers a request meant for the primary (degraded, with its own model).
 */
export function engineModels(inv: Inventory, node: InventoryNode, service: Service): EngineModels {
  const kind = service.kind as EngineKind;
  const byName = new Map(inv.models.map((m) => [m.name, m]));
  let own = (service.models ?? [])
    .map((n) => byName.get(n))
    .filter((m): m is Model => !!m)
    .map((m) => profileFor(m, node.id));
  if (!own.length) {
    const sameEngine = inv.models
      .filter((m) => m.engine === kind)
      .map((m) => profileFor(m, node.id));
    own = sameEngine.length
      ? [sameEngine[0] as ModelProfile]
      : [
          {
            name: kind === 'tensorflow' ? 'default' : `${kind}-default`,
            engine: kind,
            ...FALLBACK[kind],
          },
        ];
  }
  const accepted = new Map<string, ModelProfile>(own.map((m) => [m.name, m]));
  const primary = own[0] as ModelProfile;
  for (const pool of inv.routing.pools) {
    if (!pool.backends.some((b) => b.node === node.id && b.service === service.name)) continue;
    for (const b of pool.backends) {
      const peer = inv.nodes
        .find((n) => n.id === b.node)
        ?.services.find((s) => s.name === b.service);
      for (const name of peer?.models ?? []) if (!accepted.has(name)) accepted.set(name, primary);
    }
  }
  return { own, accepted };
}
