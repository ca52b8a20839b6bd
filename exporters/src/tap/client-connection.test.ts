// The tap's own HTTP/1.1 server side, as a client on a bare socket sees it.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTap } from './tap';
import type { Tap } from './tap';

/** Sends `wire` on one connection; resolves with everything received until the tap closes it. */
function exchange(tap: Tap, wire: string | string[], closeAfterMs = 400): Promise<string> {
  const { port } = tap.address();
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    const timer = setTimeout(() => s.end(), closeAfterMs);
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    const parts = Array.isArray(wire) ? wire : [wire];
    parts.forEach((p, i) => setTimeout(() => s.write(p), i * 30));
  });
}

const statusLines = (wire: string) => wire.match(/^HTTP\/1\.1 \d{3}[^\r]*/gm) ?? [];

describe('tap client side', () => {
  let upstream: Server;
  let tap: Tap;
  const seen: string[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${JSON.stringify(body)} expect=${req.headers.expect}`);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`${req.method} ${req.url} ${body.length}`);
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    tap = await createTap({
      listen: '127.0.0.1:0',
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
  });

  afterAll(async () => {
    await tap.close();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  beforeEach(() => void seen.splice(0));

  it('answers pipelined requests in order on one connection', async () => {
    const wire = await exchange(
      tap,
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz' +
        'GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(statusLines(wire)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(wire.indexOf('GET /a 0')).toBeLessThan(wire.indexOf('POST /b 3'));
    expect(wire.indexOf('POST /b 3')).toBeLessThan(wire.indexOf('GET /c 0'));
    expect(wire).toMatch(/Connection: close\r\n/);
    expect(seen).toEqual([
      'GET /a "" expect=undefined',
      'POST /b "xyz" expect=undefined',
      'GET /c "" expect=undefined',
    ]);
  });

  it('reads a request head and body that come in pieces', async () => {
    const wire = await exchange(tap, [
      'POST /p HT',
      'TP/1.1\r\nHost: x\r\nContent-Le',
      'ngth: 5\r\n\r\nab',
      'cde',
    ]);
    expect(statusLines(wire)).toEqual(['HTTP/1.1 200 OK']);
    expect(seen).toEqual(['POST /p "abcde" expect=undefined']);
  });

  it('passes a chunked request body with its framing and keeps the connection', async () => {
    const wire = await exchange(
      tap,
      'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n' +
        'GET /after HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(statusLines(wire)).toHaveLength(2);
    expect(seen).toEqual(['POST /c "abcde" expect=undefined', 'GET /after "" expect=undefined']);
  });

  it('answers Expect: 100-continue itself before the body comes', async () => {
    const wire = await exchange(tap, [
      'PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n',
      'ok',
    ]);
    expect(statusLines(wire)).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
    expect(seen).toEqual(['PUT /e "ok" expect=undefined']);
  });

  it.each([
    ['a bad request line', 'GET /x\r\nHost: x\r\n\r\n'],
    ['a space before the colon', 'GET /x HTTP/1.1\r\nHost : x\r\n\r\n'],
    ['a folded header line', 'GET /x HTTP/1.1\r\nHost: x\r\n y\r\n\r\n'],
    [
      'both Content-Length and Transfer-Encoding',
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['two different lengths', 'POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'],
    ['a coding not ending in chunked', 'POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'],
  ])('refuses %s with 400 and closes, sending nothing upstream', async (_what, wire) => {
    expect(statusLines(await exchange(tap, wire))).toEqual(['HTTP/1.1 400 Bad Request']);
    expect(seen).toEqual([]);
  });

  it('refuses CONNECT with 405: a tunnel is not relayed', async () => {
    const wire = await exchange(tap, 'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusLines(wire)).toEqual(['HTTP/1.1 405 Method Not Allowed']);
    expect(seen).toEqual([]);
  });

  it('refuses a request head over 64 KiB with 431', async () => {
    const wire = await exchange(tap, `GET /x HTTP/1.1\r\nX-Big: ${'a'.repeat(70_000)}\r\n`);
    expect(statusLines(wire)).toEqual(['HTTP/1.1 431 Request Header Fields Too Large']);
  });

  it('cuts a connection whose chunked body breaks, and stays up for others', async () => {
    const broken = await exchange(
      tap,
      'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n',
    );
    expect(statusLines(broken)).toEqual([]);
    const next = await exchange(tap, 'GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(statusLines(next)).toEqual(['HTTP/1.1 200 OK']);
    expect(tap.stats().errors).toBeGreaterThanOrEqual(1);
  });

  it('closes after the response for an HTTP/1.0 client, with a Date header', async () => {
    const wire = await exchange(tap, 'GET /old HTTP/1.0\r\n\r\n', 5000);
    expect(statusLines(wire)).toEqual(['HTTP/1.1 200 OK']);
    expect(wire).toMatch(/\r\nConnection: close\r\n/);
    expect(wire).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} [\d:]{8} GMT\r\n/);
    expect(wire.endsWith('GET /old 0')).toBe(true);
  });
});
