// The stream tap as the per-hop token-latency instrument, on loopback against a real upstream:
// bytes pass unchanged, aborts propagate, hangs become kind="timeout", and 1,000 concurrent
// streams leave no socket behind.
import { readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createTokenLatencyCollector, parseTapSpec } from '@okome/exporters';
import { bytes, sha, startUpstream, type Upstream } from './upstream';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(
  url: string,
  opts: { method?: string; body?: Buffer; agent?: Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'POST',
        agent: opts.agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body ?? Buffer.from('{"model":"qwen2.5-32b-instruct-awq","stream":true}'));
  });
}

const openFds = () => readdirSync('/proc/self/fd').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

describe('token-latency tap', () => {
  let upstream: Upstream;
  let collector: ReturnType<typeof createTokenLatencyCollector>;
  let tapUrl: string;

  beforeAll(async () => {
    upstream = await startUpstream();
    collector = createTokenLatencyCollector(
      [parseTapSpec(`cache=127.0.0.1:0,${upstream.url},cache,auto,vllm`)],
      {
        node: 'NODE-03',
        // Long enough that a loaded machine does not cut a slow but live response; short
        // enough that the hanging case stays quick.
        idleTimeoutMs: 2000,
        maxModels: 10,
      },
    );
    await collector.start?.();
    tapUrl = collector.runtime.taps[0]!.url;
  });
  afterAll(async () => {
    await collector.stop?.();
    await upstream.close();
  });

  it.each([
    ['SSE', '/v1/chat/completions?tokens=20&gap=1'],
    ['NDJSON', '/api/generate?tokens=20&gap=1'],
    ['chunked', '/chunked?size=3000000'],
    ['plain', '/plain?size=500000'],
  ])('%s: bytes in = bytes out, headers kept', async (_kind, path) => {
    const [direct, tapped] = await Promise.all([
      call(`${upstream.url}${path}`),
      call(`${tapUrl}${path}`),
    ]);
    expect(tapped.status).toBe(200);
    expect(tapped.body.length).toBe(direct.body.length);
    expect(sha(tapped.body)).toBe(sha(direct.body));
    expect(tapped.headers['content-type']).toBe(direct.headers['content-type']);
    expect(tapped.headers['content-length']).toBe(direct.headers['content-length']);
  });

  it('request bodies of any size reach the upstream unchanged', async () => {
    const big = bytes(5 * 1024 * 1024, 3);
    const r = await call(`${tapUrl}/echo`, { body: big });
    expect(r.headers['x-body-sha']).toBe(sha(big));
    expect(sha(r.body)).toBe(sha(big));
  });

  it('records TTFT, inter-token gaps, tokens and requests per hop with the contract labels', async () => {
    await call(`${tapUrl}/v1/chat/completions?tokens=10&gap=2`);
    const text = await collector.runtime.metrics.render();
    const l = 'hop="cache",engine="vllm",model="qwen2.5-32b-instruct-awq",node="NODE-03"';
    expect(text).toMatch(new RegExp(`llm_time_to_first_token_seconds_count\\{${l}\\} [1-9]`));
    expect(text).toMatch(new RegExp(`llm_inter_token_latency_seconds_count\\{${l}\\} \\d+`));
    expect(text).toMatch(new RegExp(`llm_generation_tokens_total\\{${l}\\} \\d+`));
    expect(text).toMatch(new RegExp(`llm_prompt_tokens_total\\{${l}\\} \\d+`));
    expect(text).toMatch(/llm_time_per_output_token_seconds_count\{/);
  });

  it('a client abort mid-stream reaches the upstream and counts as client_abort', async () => {
    const before = upstream.aborted;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${tapUrl}/endless`, { method: 'POST' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end('{"model":"m"}');
      setTimeout(() => reject(new Error('no data from /endless')), 3000);
    });
    expect(await waitFor(() => upstream.aborted > before)).toBe(true);
    expect(await collector.runtime.metrics.render()).toMatch(
      /llm_request_failures_total\{[^}]*kind="client_abort"\} 1/,
    );
  });

  it('a hanging upstream times out into llm_request_failures_total{kind="timeout"}', async () => {
    const r = await call(`${tapUrl}/hang`);
    expect(r.status).toBe(504);
    expect(await collector.runtime.metrics.render()).toMatch(
      /llm_request_failures_total\{[^}]*kind="timeout"\} 1/,
    );
  });

  it('GETs pass unobserved, so health checks do not dilute the series', async () => {
    const before = await collector.runtime.metrics.render();
    await call(`${tapUrl}/plain?size=10`, { method: 'GET' });
    expect(await collector.runtime.metrics.render()).toBe(before);
  });

  it('1,000 concurrent streams: all complete intact, no socket left behind', async () => {
    const tap = collector.runtime.taps[0]!;
    const fdsBefore = openFds();
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const path = '/v1/chat/completions?tokens=5&gap=2';
    const expected = sha((await call(`${upstream.url}${path}`)).body);
    const replies = await Promise.all(
      Array.from({ length: 1000 }, () => call(`${tapUrl}${path}`, { agent })),
    );
    expect(replies.filter((r) => r.status === 200 && sha(r.body) === expected)).toHaveLength(1000);
    agent.destroy();
    expect(await waitFor(() => tap.stats().active === 0 && tap.stats().clientSockets === 0)).toBe(
      true,
    );
    // Idle keep-alive connections to the upstream are pooled and bounded, never one per stream.
    expect(tap.stats().upstreamSockets).toBeLessThanOrEqual(256);
    const text = await collector.runtime.metrics.render();
    const m =
      /llm_requests_total\{hop="cache",engine="vllm",model="qwen2.5-32b-instruct-awq",node="NODE-03"\} (\d+)/.exec(
        text,
      );
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(1000);
    // Process-wide: after the pooled upstream sockets idle out, descriptors are back near where they were.
    expect(await waitFor(() => openFds() <= fdsBefore + 256 + 10, 8000)).toBe(true);
  }, 60_000);
});
