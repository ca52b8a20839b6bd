// OpenTelemetry llm_* text on the same /metrics as the prom-client collectors: one exposition,
// no family twice, promtool-clean, and a 5xx when the OTel export itself breaks.
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { Gauge } from 'prom-client';
import {
  createTokenLatencyCollector,
  Exporter,
  parseTapSpec,
  silentLogger,
  type Collector,
} from '@okome/exporters';
import { startUpstream, type Upstream } from './upstream';

const promClientCollector: Collector = {
  name: 'demo',
  up: { name: 'demo_up', help: 'Demo source reachable.' },
  async collect(ctx) {
    new Gauge({ name: 'demo_value', help: 'A prom-client gauge.', registers: [ctx.registry] }).set(
      1,
    );
  },
};

function post(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end('{"model":"qwen2.5-1.5b-instruct"}');
  });
}

describe('token-latency on the shared /metrics', () => {
  let upstream: Upstream;
  let exporter: Exporter;
  let collector: ReturnType<typeof createTokenLatencyCollector>;

  beforeAll(async () => {
    upstream = await startUpstream();
    collector = createTokenLatencyCollector(
      [parseTapSpec(`engine=127.0.0.1:0,${upstream.url},engine,sse,vllm`)],
      {
        node: 'CORE',
        idleTimeoutMs: 5000,
        maxModels: 10,
      },
    );
    exporter = new Exporter({
      collectors: [promClientCollector, collector],
      listen: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
    });
    await exporter.start();
    await post(`${collector.runtime.taps[0]!.url}/v1/chat/completions?tokens=4&gap=1`);
  });
  afterAll(async () => {
    await exporter.stop();
    await upstream.close();
  });

  it('one exposition: prom-client and OTel families side by side, none twice, promtool-clean', async () => {
    const res = await fetch(`${exporter.url()}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('demo_value 1');
    expect(text).toMatch(
      /llm_time_to_first_token_seconds_bucket\{hop="engine",engine="vllm",model="qwen2.5-1.5b-instruct",node="CORE",le="0.45"\} 1/,
    );
    expect(text).toContain('okome_exporter_collector_success{collector="token_latency_otel"} 1');
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    expect(text).not.toMatch(/otel_scope_|target_info|_total_total/);
    // promtool reads the exposition on stdin; exit 0 = parses and lints clean.
    execFileSync('promtool', ['check', 'metrics'], {
      input: text,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  });

  it('answers 5xx when the OpenTelemetry export itself fails', async () => {
    await collector.runtime.metrics.shutdown();
    const res = await fetch(`${exporter.url()}/metrics`);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await res.text()).toMatch(/OpenTelemetry export failed/);
  });
});
