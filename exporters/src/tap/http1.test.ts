import {
  bodyFraming,
  ChunkedDecoder,
  headEnd,
  parseResponseHead,
  ProtocolError,
  reusable,
} from './http1';

const chunked = (parts: string[], trailer = '') =>
  parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') +
  `0\r\n${trailer}\r\n`;

/** Feeds `wire` cut at the given offsets; returns the decoded payload and where the body ended. */
function feed(wire: string, cuts: number[]) {
  const payload: Buffer[] = [];
  const d = new ChunkedDecoder((s) => payload.push(Buffer.from(s)));
  const buf = Buffer.from(wire, 'latin1');
  const bounds = [0, ...cuts, buf.length];
  let end = -1;
  let offset = 0;
  for (let i = 0; i + 1 < bounds.length && end < 0; i++) {
    offset = bounds[i] as number;
    end = d.push(buf.subarray(offset, bounds[i + 1]));
  }
  return {
    payload: Buffer.concat(payload).toString('latin1'),
    done: d.done,
    /** Offset in `wire` just past the body. */
    end: end < 0 ? -1 : offset + end,
  };
}

describe('ChunkedDecoder', () => {
  const parts = ['{"response":"a"}\n', 'data: {"x":1}\n\n', 'b'.repeat(300)];
  const wire = chunked(parts);

  it('decodes the payload and finds the end, wherever reads are cut', () => {
    for (let a = 1; a < wire.length; a++) {
      for (const b of [a + 1, a + 7, wire.length - 1]) {
        const cuts = b > a && b < wire.length ? [a, b] : [a];
        const r = feed(wire, cuts);
        expect({ at: cuts, payload: r.payload, end: r.end }).toEqual({
          at: cuts,
          payload: parts.join(''),
          end: wire.length,
        });
        expect(r.done).toBe(true);
      }
    }
  });

  it('skips chunk extensions and trailers and says where the body ended', () => {
    const ext = `5;name=value\r\nhello\r\n10\r\n${'x'.repeat(16)}\r\n0\r\nX-Checksum: 1\r\n\r\nNEXT`;
    for (const cuts of [[], [ext.indexOf('X-') + 3], [ext.indexOf('10') + 1]]) {
      const r = feed(ext, cuts);
      expect(r.payload).toBe(`hello${'x'.repeat(16)}`);
      expect(r.end).toBe(ext.length - 4);
    }
  });

  it('refuses broken framing', () => {
    expect(() => new ChunkedDecoder(() => undefined).push(Buffer.from('zz\r\n'))).toThrow(
      ProtocolError,
    );
    expect(() => new ChunkedDecoder(() => undefined).push(Buffer.from('2\r\nabX'))).toThrow(
      'chunk data not followed by CRLF',
    );
    expect(() => new ChunkedDecoder(() => undefined).push(Buffer.from('\r\n'))).toThrow(
      'chunk size missing',
    );
  });
});

describe('response head', () => {
  const text = (s: string) => Buffer.from(s, 'latin1');

  it('parses status, repeated headers and set-cookie, keeping the raw pairs', () => {
    const raw = text(
      'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nVary: a\r\nVary: b\r\nSet-Cookie: s=1\r\nSet-Cookie: t=2\r\nTransfer-Encoding: chunked\r\n\r\nBODY',
    );
    const end = headEnd(raw);
    expect(raw.subarray(end).toString()).toBe('BODY');
    const h = parseResponseHead(raw.subarray(0, end - 4));
    expect(h.status).toBe(200);
    expect(h.statusMessage).toBe('OK');
    expect(h.headers).toMatchObject({
      'content-type': 'application/x-ndjson',
      vary: 'a, b',
      'set-cookie': ['s=1', 't=2'],
    });
    expect(h.rawHeaders.slice(0, 2)).toEqual(['Content-Type', 'application/x-ndjson']);
    expect(bodyFraming(h, 'POST')).toEqual({ kind: 'chunked' });
    expect(reusable(h, bodyFraming(h, 'POST'))).toBe(true);
  });

  it('decides framing as RFC 9112 §6.3 says', () => {
    const head = (s: string) => parseResponseHead(text(s));
    expect(bodyFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 12'), 'GET')).toEqual({
      kind: 'length',
      length: 12,
    });
    expect(bodyFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 12'), 'HEAD').kind).toBe('none');
    expect(bodyFraming(head('HTTP/1.1 204 No Content'), 'GET').kind).toBe('none');
    const closing = head('HTTP/1.0 200 OK');
    expect(bodyFraming(closing, 'GET').kind).toBe('close');
    expect(reusable(closing, bodyFraming(closing, 'GET'))).toBe(false);
    const told = head('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close');
    expect(reusable(told, bodyFraming(told, 'GET'))).toBe(false);
    expect(() => bodyFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 1, 2'), 'GET')).toThrow(
      'bad Content-Length',
    );
  });

  it('refuses a status line or header that is not HTTP/1.x', () => {
    expect(() => parseResponseHead(text('SSH-2.0-OpenSSH'))).toThrow('bad status line');
    expect(() => parseResponseHead(text('HTTP/1.1 200 OK\r\n folded'))).toThrow('bad header line');
  });
});
