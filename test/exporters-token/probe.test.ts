// /probe?target=&module= against real servers on loopback: an OpenAI-style SSE engine, an
// Ollama-style NDJSON engine, a redis-server; timeouts from X-Prometheus-Scrape-Timeout-Seconds.
import { Exporter, Options, probeCollector, silentLogger } from '@okome/exporters';
import { startRedis, type Proc } from '../exporters-redis/support';
import { startUpstream, type Upstream } from './upstream';

function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('/probe (blackbox_exporter style)', () => {
  let upstream: Upstream;
  let redis: Proc;
  let exporter: Exporter;
  const probe = async (q: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${exporter.url()}/probe?${new URLSearchParams(q)}`, { headers });
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    upstream = await startUpstream();
    redis = await startRedis();
    const collector = probeCollector.create(new Options(new Map()), { logger: silentLogger });
    exporter = new Exporter({
      collectors: [collector],
      routes: collector.routes ?? [],
      listen: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
    });
    await exporter.start();
  });
  afterAll(async () => {
    await exporter.stop();
    await redis.stop();
    await upstream.close();
  });

  it('openai: one streamed chat, TTFT, TPOT and output tokens (model discovered from /v1/models)', async () => {
    const r = await probe({ target: upstream.url, module: 'openai', max_tokens: '4' });
    expect(r.status).toBe(200);
    expect(gauge(r.text, 'probe_success')).toBe(1);
    expect(gauge(r.text, 'probe_http_status_code')).toBe(200);
    expect(gauge(r.text, 'probe_llm_output_tokens')).toBe(5); // the stand-in ignores max_tokens
    expect(gauge(r.text, 'probe_llm_time_to_first_token_seconds')).toBeGreaterThan(0);
    expect(gauge(r.text, 'probe_llm_time_per_output_token_seconds')).toBeGreaterThan(0);
  });

  it('ollama: NDJSON generate with eval_count as the token count', async () => {
    const r = await probe({ target: upstream.url.replace('http://', ''), module: 'ollama' });
    expect(gauge(r.text, 'probe_success')).toBe(1);
    expect(gauge(r.text, 'probe_llm_output_tokens')).toBe(5);
  });

  it('redis: PING + GET', async () => {
    const r = await probe({ target: redis.url, module: 'redis' });
    expect(gauge(r.text, 'probe_success')).toBe(1);
    expect(r.text).not.toContain('probe_llm_');
  });

  it('a hanging engine fails within the scrape timeout minus the offset', async () => {
    const started = Date.now();
    const r = await probe(
      { target: `${upstream.url}/hang`, module: 'openai', model: 'm' },
      { 'X-Prometheus-Scrape-Timeout-Seconds': '2' },
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.status).toBe(200);
    expect(gauge(r.text, 'probe_success')).toBe(0);
    // 2 s scrape timeout − the 500 ms offset
    expect(gauge(r.text, 'probe_timeout_seconds')).toBe(1.5);
  });

  it('a down target is probe_success 0, not an error', async () => {
    const r = await probe({ target: 'redis://127.0.0.1:1', module: 'redis' });
    expect(r.status).toBe(200);
    expect(gauge(r.text, 'probe_success')).toBe(0);
  });

  it('bad requests get 400 naming the parameter', async () => {
    expect(await probe({ module: 'openai' })).toMatchObject({
      status: 400,
      text: expect.stringMatching(/'target'/),
    });
    expect(await probe({ target: upstream.url, module: 'grpc' })).toMatchObject({
      status: 400,
      text: expect.stringMatching(/unknown module "grpc"/),
    });
    expect((await probe({ target: 'ftp://x', module: 'openai' })).status).toBe(400);
  });
});
