import { Gauge } from 'prom-client';
import type { Collector, ExpositionSource } from './collector';
import { Exporter } from './exporter';
import { duplicateFamilies } from './exposition';
import { silentLogger } from './logger';

const healthy: Collector = {
  name: 'healthy',
  up: { name: 'healthy_up', help: 'Source reachable.' },
  async collect(ctx) {
    new Gauge({ name: 'healthy_value', help: 'A value.', registers: [ctx.registry] }).set(42);
  },
};

const hanging: Collector = {
  name: 'hanging',
  up: { name: 'hanging_up', help: 'Source reachable.' },
  collect(ctx) {
    // Never resolves on its own; only the abort signal ends it.
    return new Promise((_, reject) =>
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
    );
  },
};

const throwing: Collector = {
  name: 'throwing',
  up: { name: 'throwing_up', help: 'Source reachable.' },
  async collect(ctx) {
    new Gauge({ name: 'throwing_partial', help: 'Dropped.', registers: [ctx.registry] }).set(1);
    throw new Error('connect ECONNREFUSED 127.0.0.1:1\nsecond line');
  },
};

const soft: Collector = {
  name: 'soft',
  up: { name: 'soft_up', help: 'Source reachable.' },
  async collect(ctx) {
    new Gauge({ name: 'soft_partial', help: 'Kept.', registers: [ctx.registry] }).set(7);
    ctx.fail(new Error('one endpoint failed'));
  },
};

const otelLike: ExpositionSource = {
  name: 'otel',
  async render() {
    return '# HELP healthy_value duplicate\n# TYPE healthy_value gauge\nhealthy_value 1\n# HELP llm_requests_total LLM requests\n# TYPE llm_requests_total counter\nllm_requests_total{hop="engine"} 3\n';
  },
};

describe('Exporter', () => {
  let exporter: Exporter;

  beforeAll(async () => {
    exporter = new Exporter({
      collectors: [healthy, hanging, throwing, soft],
      sources: [otelLike],
      listen: { host: '127.0.0.1', port: 0 },
      collectorTimeoutMs: 1_000,
      logger: silentLogger,
      node: 'NODE-TEST',
    });
    await exporter.start();
  });
  afterAll(() => exporter.stop());

  async function scrape(headers: Record<string, string> = {}) {
    const res = await fetch(`${exporter.url()}/metrics`, { headers });
    return { res, text: await res.text() };
  }

  it('answers 200 with up=0 and the error for failing collectors, within the scrape timeout', async () => {
    const started = Date.now();
    const { res, text } = await scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '1' });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('healthy_value 42');
    expect(text).toContain('healthy_up 1');
    expect(text).toContain('hanging_up 0');
    expect(text).toMatch(
      /okome_exporter_collector_last_error\{collector="hanging",err="timed out after 0\.75s"\} 1/,
    );
    expect(text).toContain('throwing_up 0');
    expect(text).not.toContain('throwing_partial');
    expect(text).toContain(
      'okome_exporter_collector_last_error{collector="throwing",err="connect ECONNREFUSED 127.0.0.1:1 second line"} 1',
    );
    expect(text).toContain('soft_partial 7');
    expect(text).toContain('soft_up 0');
    expect(text).toContain('okome_exporter_collector_last_error{collector="healthy",err=""} 0');
    expect(text).toMatch(
      /okome_exporter_collector_duration_seconds\{collector="hanging"\} 0\.(7[4-9]|8)\d*/,
    );
    expect(text).toContain('okome_exporter_collector_success{collector="otel"} 1');
  });

  it('appends exposition sources once: a family already printed is not repeated', async () => {
    const { text } = await scrape();
    expect(text).toContain('llm_requests_total{hop="engine"} 3');
    expect(text).not.toContain('healthy_value 1');
    expect(duplicateFamilies(text)).toEqual([]);
  });

  it('serves OpenMetrics when the scraper asks for it', async () => {
    const { res, text } = await scrape({
      Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
      'X-Prometheus-Scrape-Timeout-Seconds': '0.8',
    });
    expect(res.headers.get('content-type')).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE llm_requests counter');
    expect(text).toContain('llm_requests_total{hop="engine"} 3');
  });

  it('has health, readiness, a landing page and a 404 naming the path', async () => {
    expect((await fetch(`${exporter.url()}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${exporter.url()}/-/ready`)).status).toBe(200);
    const landing = await (await fetch(`${exporter.url()}/`)).text();
    expect(landing).toContain('NODE-TEST');
    expect(landing).toContain('<code>hanging</code>');
    expect(landing).toContain('down: timed out after');
    const missing = await fetch(`${exporter.url()}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('/nope');
  });
});

describe('Exporter readiness', () => {
  it('is not ready until every collector has started, and stops them on stop()', async () => {
    let release!: () => void;
    const events: string[] = [];
    const slowStart: Collector = {
      name: 'slow',
      async collect() {},
      start: () => new Promise<void>((r) => (release = r)),
      stop: async () => void events.push('stopped'),
    };
    const exporter = new Exporter({
      collectors: [slowStart],
      listen: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
      processMetrics: false,
    });
    const starting = exporter.start();
    await new Promise((r) => setTimeout(r, 50));
    const port = (
      exporter as unknown as { server: { address(): { port: number } } }
    ).server.address().port;
    expect((await fetch(`http://127.0.0.1:${port}/-/ready`)).status).toBe(503);
    release();
    await starting;
    expect((await fetch(`http://127.0.0.1:${port}/-/ready`)).status).toBe(200);
    await exporter.stop();
    expect(events).toEqual(['stopped']);
  });
});
