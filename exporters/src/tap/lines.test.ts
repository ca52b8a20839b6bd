import { LastLine, latin1ToUtf8, LineSplitter } from './lines';

describe('LineSplitter', () => {
  it('frames lines split across chunks and strips CR', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push(Buffer.from('data: {"a":'));
    s.push(Buffer.from('1}\r\n\r\ndata: [DONE]\n'));
    s.push(Buffer.from('tail'));
    s.end();
    expect(lines).toEqual(['data: {"a":1}', '', 'data: [DONE]', 'tail']);
  });

  it('in latin1 mode gives the same lines, even with a UTF-8 character cut between reads', () => {
    const text = 'data: {"model":"qwen–ü"}\r\n\ndata: [DONE]\nlast';
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('ü')) + 1; // inside the two bytes of ü
    for (const latin1 of [false, true]) {
      const lines: string[] = [];
      const s = new LineSplitter((l) => lines.push(l), undefined, latin1);
      s.push(bytes.subarray(0, cut));
      s.push(bytes.subarray(cut));
      s.end();
      expect(lines.map((l) => (latin1 ? latin1ToUtf8(l) : l))).toEqual([
        'data: {"model":"qwen–ü"}',
        '',
        'data: [DONE]',
        'last',
      ]);
    }
  });
});

describe('LastLine', () => {
  it('keeps the final NDJSON object even when it arrives in pieces', () => {
    const l = new LastLine();
    l.push(Buffer.from('{"done":false}\n{"done":false}\n{"done":'));
    l.push(Buffer.from('true,"eval_count":'));
    l.push(Buffer.from('12}\n'));
    expect(l.value()).toBe('{"done":true,"eval_count":12}');
  });

  it('returns a last line without newline, and skips trailing blank lines', () => {
    const a = new LastLine();
    a.push(Buffer.from('{"x":1}\n{"y":2}'));
    expect(a.value()).toBe('{"y":2}');
    const b = new LastLine();
    b.push(Buffer.from('{"x":1}\n{"y":2}\n\n'));
    expect(b.value()).toBe('{"y":2}');
  });

  it('gives up on a line larger than its cap', () => {
    const l = new LastLine(10);
    l.push(Buffer.from('{"a":"0123456789abcdef"'));
    expect(l.overflowed).toBe(true);
    expect(l.value()).toBeUndefined();
  });
});
