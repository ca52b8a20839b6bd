import { loadInventory, resolveInventoryPath, toLoopback } from '@okome/provisioning';
import { OLLAMA_TAP_PORT_OFFSET, TAP_PORT_OFFSET } from '@okome/provisioning';
import { ollamaOptionsFromInventory } from '../ollama/collector';
import { joinTapSpecs, parseTapSpec, tapsFromInventory } from './taps';

describe('tap specs', () => {
  it('parses NAME=listen,upstream,hop[,format[,engine]]', () => {
    expect(parseTapSpec('core=127.0.0.1:18000,http://127.0.0.1:8000,engine,sse,vllm')).toEqual({
      name: 'core',
      listen: '127.0.0.1:18000',
      upstream: 'http://127.0.0.1:8000',
      hop: 'engine',
      format: 'sse',
      engine: 'vllm',
    });
    expect(parseTapSpec('in=:18080,http://127.0.0.1:8080,ingress')).toMatchObject({
      hop: 'ingress',
      engine: 'unknown',
    });
    expect(parseTapSpec('in=:18080,http://127.0.0.1:8080,ingress').format).toBeUndefined();
  });

  it.each([
    ['nohop=:1,http://x:2', /expected listen,upstream,hop/],
    ['x=:1,http://x:2,edge', /hop "edge" is not one of ingress, cache, gateway, engine/],
    ['x=:1,https://x:2,cache', /must be http:\/\//],
    ['x=host,http://x:2,cache', /listen "host" is not host:port/],
    ['x=:1,http://x:2,cache,grpc', /format "grpc" is not sse, ndjson or auto/],
    ['=:1,http://x:2,cache', /expected NAME=/],
  ])('rejects %s naming the problem', (spec, msg) => {
    expect(() => parseTapSpec(spec)).toThrow(msg);
  });

  it('rejoins specs the core split on commas', () => {
    expect(
      joinTapSpecs(['a=:1', 'http://x:2', 'cache', 'b=:3', 'http://y:4', 'engine', 'sse']),
    ).toEqual(['a=:1,http://x:2,cache', 'b=:3,http://y:4,engine,sse']);
  });

  it('derives one tap per token-path service of a node from the inventory', () => {
    const inv = toLoopback(loadInventory(resolveInventoryPath('okome')));
    const node = (id: string) => inv.nodes.find((n) => n.id === id)!;
    expect(tapsFromInventory(node('NODE-01'), inv)).toEqual([
      'nginx=127.0.86.41:18080,http://127.0.86.41:8080,ingress,auto,vllm',
    ]);
    expect(tapsFromInventory(node('NODE-03'), inv)).toEqual([
      'stream=127.0.86.43:18090,http://127.0.86.43:8090,cache,auto,vllm',
    ]);
    expect(tapsFromInventory(node('CORE'), inv).map((t) => parseTapSpec(t))).toEqual([
      expect.objectContaining({ name: 'vllm', hop: 'engine', format: 'sse', engine: 'vllm' }),
      expect.objectContaining({
        name: 'ollama',
        hop: 'engine',
        format: 'ndjson',
        engine: 'ollama',
      }),
    ]);
    expect(tapsFromInventory(node('NODE-09'), inv)).toEqual([]);
  });

  it('chains the Ollama token tap into the Ollama throughput tap, so both see a request', () => {
    const inv = toLoopback(loadInventory(resolveInventoryPath('okome')));
    const core = inv.nodes.find((n) => n.id === 'CORE')!;
    const specs = tapsFromInventory(core, inv).map((t) => parseTapSpec(t));
    const ollamaTap = ollamaOptionsFromInventory(core, inv)?.get('ollama.tap.listen');
    expect(ollamaTap).toBe(`127.0.86.30:${11434 + OLLAMA_TAP_PORT_OFFSET}`);
    expect(specs.find((s) => s.name === 'ollama')).toMatchObject({
      listen: `127.0.86.30:${11434 + TAP_PORT_OFFSET}`,
      upstream: `http://${ollamaTap}`,
    });
    // Other engines on the node still go straight to their service.
    expect(specs.find((s) => s.name === 'vllm')?.upstream).toBe('http://127.0.86.30:8000');
  });
});
