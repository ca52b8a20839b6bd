import { NdjsonParseError, NdjsonParser } from './ndjson';

describe('NdjsonParser', () => {
  it('yields one value per line, across chunk boundaries', () => {
    const p = new NdjsonParser();
    expect(p.push('{"a":1}\n{"b"')).toEqual([{ a: 1 }]);
    expect(p.push(':2}\n\n')).toEqual([{ b: 2 }]);
  });

  it('accepts a last line without its newline at the end of the stream', () => {
    const p = new NdjsonParser();
    expect(p.push('{"done":true}')).toEqual([]);
    expect(p.end()).toEqual([{ done: true }]);
  });

  it('names the broken line', () => {
    expect(() => new NdjsonParser().push('{"a":\n')).toThrow(NdjsonParseError);
    expect(() => new NdjsonParser().push('nope\n')).toThrow(/invalid NDJSON line "nope"/);
  });
});
