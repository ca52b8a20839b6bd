// What `okome-sim load --target` points at: the inventory's ingress (its frontends, the
// protocol its backends speak, the model they serve) or a URL, always on loopback.
import { tapPort } from '@okome/provisioning';
import type { Inventory } from '@okome/provisioning';
import type { StreamProtocol } from '../client/stream-client';
import { planSimulation } from '../cluster/plan';
import { assertLoopbackUrl, runningAsRoot } from '../util/net';

export interface LoadTarget {
  urls: string[];
  protocol: StreamProtocol;
  model?: string;
  /** Sends an okome_session cookie so sticky (hash) ingress pools keep a session on one node. */
  sticky: boolean;
  description: string;
}

/** The inventory as the simulator runs it (a source inventory is mapped to loopback). */
export function simulatedView(inv: Inventory): Inventory {
  return inv.simulated ? inv : planSimulation(inv, '/nonexistent', runningAsRoot()).derived;
}

export function ingressTarget(source: Inventory): LoadTarget {
  const inv = simulatedView(source);
  const nodes = new Map(inv.nodes.map((n) => [n.id, n]));
  const fronted = inv.routing.pools.filter((p) =>
    p.frontends.some((f) => nodes.get(f)?.roles.includes('ingress')),
  );
  const pool = fronted.find((p) => p.hop === 'ingress') ?? fronted[0] ?? inv.routing.pools[0];
  if (!pool) throw new Error(`--target ingress: inventory "${inv.cluster}" has no routing pool`);
  const first = pool.backends[0];
  const svc = first
    ? nodes.get(first.node)?.services.find((s) => s.name === first.service)
    : undefined;
  let protocol: StreamProtocol = 'openai-chat';
  let model = svc?.models?.[0];
  if (svc?.kind === 'ollama') protocol = 'ollama-chat';
  if (svc?.kind === 'stream' || !model) {
    const engine = inv.routing.pools.find((p) => p.hop === 'engine');
    const eb = engine?.backends[0];
    const esvc = eb ? nodes.get(eb.node)?.services.find((s) => s.name === eb.service) : undefined;
    model = model ?? esvc?.models?.[0] ?? inv.models[0]?.name;
  }
  // With taps the request enters through the ingress tap of the frontend's proxy that listens
  // on the pool's port, so the ingress hop is measured like the hops behind it.
  const frontendPort = (id: string): number => {
    if (!inv.observability.taps) return pool.listenPort;
    const proxy = nodes
      .get(id)
      ?.services.find(
        (s) => (s.kind === 'nginx' || s.kind === 'haproxy') && s.port === pool.listenPort,
      );
    return (proxy && tapPort(proxy)) ?? pool.listenPort;
  };
  const urls = pool.frontends.map((f) => `http://${nodes.get(f)?.address}:${frontendPort(f)}`);
  for (const u of urls) assertLoopbackUrl(u, '--target ingress');
  return {
    urls,
    protocol,
    model,
    sticky: pool.balance === 'hash',
    description: `pool "${pool.name}" on ${pool.frontends.join(', ')}${inv.observability.taps ? ' via the ingress taps' : ''} (${protocol}, ${pool.balance})`,
  };
}

export function urlTarget(
  url: string,
  protocol: StreamProtocol | undefined,
  model: string | undefined,
): LoadTarget {
  const u = assertLoopbackUrl(url, '--target');
  const guessed: StreamProtocol =
    protocol ??
    (u.pathname.startsWith('/api/generate')
      ? 'ollama-generate'
      : u.pathname.startsWith('/api/')
        ? 'ollama-chat'
        : u.pathname.startsWith('/v1/completions')
          ? 'openai-completion'
          : 'openai-chat');
  return {
    urls: [u.toString()],
    protocol: guessed,
    model,
    sticky: false,
    description: `${u.toString()} (${guessed})`,
  };
}

/** Asks the target which model it serves when none was given. */
export async function discoverModel(
  url: string,
  protocol: StreamProtocol,
): Promise<string | undefined> {
  const base = new URL(url);
  base.pathname = protocol.startsWith('ollama') ? '/api/tags' : '/v1/models';
  try {
    const res = await fetch(base, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as {
      data?: Array<{ id: string }>;
      models?: Array<{ name: string }>;
    };
    return body.data?.[0]?.id ?? body.models?.[0]?.name;
  } catch {
    return undefined;
  }
}
