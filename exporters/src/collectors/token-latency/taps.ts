// Tap specifications: `--tap NAME=listen,upstream,hop[,format[,engine]]` (repeatable), or
// derived from the inventory — one tap per token-path service of the node, listening on the
// node's address at the service port + TAP_PORT_OFFSET, so routing can point a hop through it.
import type { Inventory, InventoryNode, ServiceKind } from '@okome/provisioning';
import { provisioning } from '../../provisioning-lazy';
import { tappedOllamaService } from '../ollama/collector';
import { FlagError } from '../../core/flags';
import type { StreamFormat } from './stream';

export interface TapSpec {
  name: string;
  listen: string;
  upstream: string;
  hop: string;
  format?: StreamFormat;
  engine: string;
}

export class TapSpecError extends FlagError {
  constructor(message: string) {
    super(message);
    this.name = 'TapSpecError';
  }
}

/**
 * The core splits list flags on commas; a tap spec has commas of its own. Items that do not
 * start a new `NAME=` belong to the spec before them.
 */
export function joinTapSpecs(items: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (/^[A-Za-z][A-Za-z0-9_.-]*=/.test(item) || out.length === 0) out.push(item);
    else out[out.length - 1] += `,${item}`;
  }
  return out;
}

export function parseTapSpec(text: string): TapSpec {
  const where = `--tap "${text}"`;
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new TapSpecError(`${where}: expected NAME=listen,upstream,hop[,format[,engine]]`);
  const name = text.slice(0, eq).trim();
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name))
    throw new TapSpecError(`${where}: tap name "${name}" is not an id`);
  const parts = text
    .slice(eq + 1)
    .split(',')
    .map((p) => p.trim());
  if (parts.length < 3 || parts.length > 5)
    throw new TapSpecError(
      `${where}: expected listen,upstream,hop[,format[,engine]] after "${name}="`,
    );
  const [listen, upstream, hop, format, engine] = parts as [
    string,
    string,
    string,
    string?,
    string?,
  ];
  if (!/^(\[[^\]]+\]|[^:]*):\d{1,5}$/.test(listen))
    throw new TapSpecError(`${where}: listen "${listen}" is not host:port`);
  let u: URL;
  try {
    u = new URL(upstream);
  } catch {
    throw new TapSpecError(`${where}: upstream "${upstream}" is not a URL`);
  }
  if (u.protocol !== 'http:')
    throw new TapSpecError(`${where}: upstream "${upstream}" must be http://`);
  const { HOPS } = provisioning();
  if (!(HOPS as readonly string[]).includes(hop))
    throw new TapSpecError(`${where}: hop "${hop}" is not one of ${HOPS.join(', ')}`);
  if (format && format !== 'sse' && format !== 'ndjson' && format !== 'auto')
    throw new TapSpecError(`${where}: format "${format}" is not sse, ndjson or auto`);
  const spec: TapSpec = { name, listen, upstream, hop, engine: engine || 'unknown' };
  if (format === 'sse' || format === 'ndjson') spec.format = format;
  return spec;
}

const FORMAT_OF: Partial<Record<ServiceKind, StreamFormat>> = { vllm: 'sse', ollama: 'ndjson' };

/**
 * The engine label of a tap: the kind for engines; for relays (nginx, stream, gateway) the
 * engine kind most services of the cluster run, which is what their token path ends in.
 */
function engineFor(kind: ServiceKind, inv: Inventory): string {
  if (kind === 'vllm' || kind === 'ollama' || kind === 'tensorflow') return kind;
  const counts = new Map<string, number>();
  for (const n of inv.nodes)
    for (const s of n.services)
      if (s.kind === 'vllm' || s.kind === 'ollama')
        counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
}

/**
 * Tap specs for one node of an inventory, as `--tap` strings (flag values). The Ollama the
 * ollama collector fronts with its throughput tap (+20000) is reached through that tap, so a
 * request through the token tap (+10000) is measured by both: token tap → Ollama tap → Ollama.
 * (Turning the Ollama tap off with `--ollama.tap.listen=` then needs an explicit `--tap`.)
 */
export function tapsFromInventory(node: InventoryNode, inv: Inventory): string[] {
  const out: string[] = [];
  const chained = tappedOllamaService(node);
  for (const svc of node.services) {
    const { ollamaTapPort, tapPort, TAPPED_SERVICE_HOPS } = provisioning();
    const hop = TAPPED_SERVICE_HOPS[svc.kind];
    const port = tapPort(svc);
    if (!hop || !port) continue;
    const next = svc === chained ? ollamaTapPort(svc) : undefined;
    out.push(
      `${svc.name}=${node.address}:${port},http://${node.address}:${next ?? svc.port},${hop},${FORMAT_OF[svc.kind] ?? 'auto'},${engineFor(svc.kind, inv)}`,
    );
  }
  return out;
}
