import { SseParser } from './sse';

describe('SseParser (WHATWG event-stream rules)', () => {
  it('dispatches an event at each blank line, stripping one space after the colon', () => {
    const p = new SseParser();
    expect(p.push('data: {"a":1}\n\ndata:  two spaces\n\n')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: ' two spaces' },
    ]);
  });

  it('accepts CRLF and CR line ends, also split between chunks', () => {
    const p = new SseParser();
    expect(p.push('data: a\r')).toEqual([]);
    expect(p.push('\n\r\ndata: b\r\r\n')).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('joins multi-line data with newlines and ignores comments and unknown fields', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\ndata: line1\nfoo: bar\ndata: line2\n\n')).toEqual([
      { event: 'message', data: 'line1\nline2' },
    ]);
  });

  it('keeps event names and ids, and resets the name after each event', () => {
    const p = new SseParser();
    expect(p.push('event: error\nid: 7\ndata: x\n\ndata: y\n\n')).toEqual([
      { event: 'error', data: 'x', id: '7' },
      { event: 'message', data: 'y', id: '7' },
    ]);
  });

  it('reassembles an event split inside a line and inside a UTF-8 character', () => {
    const p = new SseParser();
    const bytes = Buffer.from('data: {"t":"héllo"}\n\n');
    const cut = bytes.indexOf(0xa9); // second byte of "é"
    expect(p.push(bytes.subarray(0, cut))).toEqual([]);
    expect(p.push(bytes.subarray(cut))).toEqual([{ event: 'message', data: '{"t":"héllo"}' }]);
  });

  it('discards an event that never got its blank line', () => {
    const p = new SseParser();
    expect(p.push('data: [DONE]\n')).toEqual([]);
    expect(p.end()).toEqual([]);
  });

  it('dispatches nothing for a blank line without data', () => {
    expect(new SseParser().push('event: ping\n\n')).toEqual([]);
  });
});
