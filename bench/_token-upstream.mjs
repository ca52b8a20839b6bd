#!/usr/bin/env node
// Engine stand-in for bench/token.mjs, in its own process: OpenAI-style SSE where every token
// event carries `t`, the wall-clock ms (timeOrigin + now) at which it was written, so the
// client can measure per-token delivery delay through any proxy.
// usage: node bench/_token-upstream.mjs <port>   (GET/POST /v1/chat/completions?tokens=N&gap=MS)
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const port = Number(process.argv[2] ?? 0);
const now = () => performance.timeOrigin + performance.now();

const server = createServer(async (req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  for await (const _ of req); // drain the request body
  const tokens = Number(u.searchParams.get('tokens') ?? 100);
  const gap = Number(u.searchParams.get('gap') ?? 0);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // Paced on a schedule (token i is due at start + (i + 1) × gap), not by sleeping `gap` after
  // each write: timer lateness must not lower the rate the bench asks for.
  const startedAt = performance.now();
  for (let i = 0; i < tokens && !res.destroyed; i++) {
    if (gap > 0) await sleep(Math.max(0, startedAt + (i + 1) * gap - performance.now()));
    const ok = res.write(
      `data: {"choices":[{"delta":{"content":"tok"}}],"t":${now().toFixed(3)}}\n\n`,
    );
    if (!ok) await new Promise((r) => res.once('drain', r));
  }
  res.end(
    `data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":${tokens}}}\n\ndata: [DONE]\n\n`,
  );
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
