// A tiny /metrics endpoint whose counters follow a scripted error ratio: each case serves
// `rate` requests per second and, from `burnFrom` on, fails `errorRatio` of them.
import { createServer } from 'node:http';
import type { Server } from 'node:http';

export interface SyntheticCase {
  /** Value of the `case` label. */
  name: string;
  rate: number;
  errorRatio: number;
}

export interface Synthetic {
  url: string;
  /** Starts the failures now (ms since epoch returned). */
  burn: () => number;
  close: () => Promise<void>;
}

export async function startSynthetic(host: string, cases: SyntheticCase[]): Promise<Synthetic> {
  const started = Date.now();
  let burnFrom: number | undefined;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const now = Date.now();
    const lines = [
      '# TYPE llm_requests_total counter',
      ...cases.map(
        (c) =>
          `llm_requests_total{hop="engine",case="${c.name}"} ${Math.floor((c.rate * (now - started)) / 1000)}`,
      ),
      '# TYPE llm_request_failures_total counter',
      ...cases.map((c) => {
        const failing =
          burnFrom === undefined ? 0 : (c.rate * c.errorRatio * (now - burnFrom)) / 1000;
        return `llm_request_failures_total{hop="engine",case="${c.name}"} ${Math.floor(Math.max(0, failing))}`;
      }),
    ];
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    burn: () => (burnFrom = Date.now()),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
