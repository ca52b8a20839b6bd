// A small Ollama-compatible server for tests and benchmarks on loopback: /api/version, /api/ps,
// /api/tags, and /api/generate + /api/chat streaming NDJSON at a set token rate, ending with
// the final object Ollama sends (durations in ns, counts).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOllamaOptions {
  /** Tokens per second of one stream. */
  readonly tokensPerSecond?: number;
  /** Tokens per response unless the request says `options.num_predict`. */
  readonly tokens?: number;
  readonly version?: string;
  readonly host?: string;
  /**
   * Adds `okome_t` to each streamed line, for latency benchmarks: the wall-clock time of the write
   * in ms with µs resolution (timeOrigin + now), comparable across processes.
   */
  readonly stamp?: boolean;
}

export interface FakeOllama {
  readonly url: string;
  readonly server: Server;
  /** Requests to /api/generate|chat whose client went away before the end. */
  readonly cancelled: () => number;
  close(): Promise<void>;
}

export async function startFakeOllama(opts: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const tps = opts.tokensPerSecond ?? 50;
  let cancelled = 0;
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const json = (body: unknown) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url === '/api/version') return json({ version: opts.version ?? '0.5.1' });
    if (url === '/api/ps')
      return json({
        models: [
          {
            name: 'qwen2.5:32b',
            model: 'qwen2.5:32b',
            size: 21_000_000_000,
            size_vram: 20_000_000_000,
            expires_at: '2026-11-25T18:00:00Z',
          },
        ],
      });
    if (url === '/api/tags')
      return json({
        models: [
          { name: 'qwen2.5:32b', size: 19_851_349_856 },
          { name: 'qwen2.5:72b', size: 47_415_724_032 },
        ],
      });
    if (req.method === 'POST' && (url === '/api/generate' || url === '/api/chat')) {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        let body: { model?: string; stream?: boolean; options?: { num_predict?: number } } = {};
        try {
          body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as typeof body;
        } catch {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          return res.end('{"error":"invalid JSON"}');
        }
        const model = body.model ?? 'qwen2.5:32b';
        const n = body.options?.num_predict ?? opts.tokens ?? 20;
        const chat = url === '/api/chat';
        const started = process.hrtime.bigint();
        const stamp = opts.stamp
          ? () => ({ okome_t: performance.timeOrigin + performance.now() })
          : () => ({});
        const piece = (i: number) => ({
          ...stamp(),
          ...(chat
            ? {
                model,
                created_at: new Date().toISOString(),
                message: { role: 'assistant', content: ` t${i}` },
                done: false,
              }
            : { model, created_at: new Date().toISOString(), response: ` t${i}`, done: false }),
        });
        const final = () => {
          const total = Number(process.hrtime.bigint() - started);
          return {
            model,
            created_at: new Date().toISOString(),
            ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
            done: true,
            done_reason: 'stop',
            total_duration: total,
            load_duration: 1_000_000,
            prompt_eval_count: 12,
            prompt_eval_duration: 2_000_000,
            eval_count: n,
            eval_duration: Number.isFinite(tps) ? Math.round((n / tps) * 1e9) : total,
          };
        };
        if (body.stream === false) {
          setTimeout(() => json({ ...final(), response: 'x'.repeat(n) }), (n / tps) * 1000);
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        let i = 0;
        if (!Number.isFinite(tps)) {
          // As fast as the reader takes it: honour backpressure, yield between bursts.
          const pump = () => {
            while (i < n) {
              if (!res.write(JSON.stringify(piece(i++)) + '\n'))
                return void res.once('drain', pump);
            }
            res.end(JSON.stringify(final()) + '\n');
          };
          res.on('close', () => {
            if (!res.writableFinished) cancelled++;
          });
          return pump();
        }
        const interval = 1000 / tps;
        const t0 = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const tick = () => {
          // Catch up on schedule so the rate holds even with timer jitter.
          const due = Math.min(n, Math.floor((performance.now() - t0) / interval) + 1);
          while (i < due) res.write(JSON.stringify(piece(i++)) + '\n');
          if (i >= n) return void res.end(JSON.stringify(final()) + '\n');
          timer = setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
        };
        res.on('close', () => {
          if (!res.writableFinished) {
            cancelled++;
            clearTimeout(timer);
          }
        });
        tick();
      });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `no route ${url}` }));
  });
  await new Promise<void>((r) => server.listen(0, opts.host ?? '127.0.0.1', r));
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}`,
    server,
    cancelled: () => cancelled,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
