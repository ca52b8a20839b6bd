import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamCompletion } from './stream-client';

/** A raw server that writes exactly what a test gives it, to check the client's rules. */
async function raw(write: (res: http.ServerResponse) => void) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => write(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('streamCompletion error kinds', () => {
  it('a refused connection is "refused"', async () => {
    const srv = await raw(() => undefined);
    const url = srv.url;
    await srv.close();
    const r = await streamCompletion({ url, protocol: 'openai-chat', model: 'm', prompt: 'p' });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('refused');
  });

  it('an SSE stream that ends without [DONE] is a stream error', async () => {
    const srv = await raw((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
    });
    try {
      const r = await streamCompletion({
        url: srv.url,
        protocol: 'openai-chat',
        model: 'm',
        prompt: 'p',
      });
      expect(r.error?.kind).toBe('stream_error');
      expect(r.text).toBe('a');
    } finally {
      await srv.close();
    }
  });

  it('an error object inside the SSE stream is a stream error carrying its message', async () => {
    const srv = await raw((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        'data: {"error":{"message":"boom","type":"InternalServerError","code":500}}\n\ndata: [DONE]\n\n',
      );
    });
    try {
      const r = await streamCompletion({
        url: srv.url,
        protocol: 'openai-chat',
        model: 'm',
        prompt: 'p',
      });
      expect(r.error).toEqual({ kind: 'stream_error', message: 'boom' });
    } finally {
      await srv.close();
    }
  });

  it('silence beyond the idle timeout is a timeout (a hung server)', async () => {
    const srv = await raw(() => undefined);
    try {
      const r = await streamCompletion({
        url: srv.url,
        protocol: 'ollama-chat',
        model: 'm',
        prompt: 'p',
        idleTimeoutMs: 150,
      });
      expect(r.error?.kind).toBe('timeout');
    } finally {
      await srv.close();
    }
  });

  it('HTTP 5xx and 4xx are told apart and keep the body', async () => {
    const srv = await raw((res) => {
      res.writeHead(503);
      res.end('no backend');
    });
    try {
      const r = await streamCompletion({
        url: srv.url,
        protocol: 'ollama-chat',
        model: 'm',
        prompt: 'p',
      });
      expect(r.error?.kind).toBe('http_5xx');
      expect(r.error?.message).toContain('no backend');
    } finally {
      await srv.close();
    }
  });
});
