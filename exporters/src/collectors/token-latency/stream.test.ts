import { formatFromContentType, TokenStreamParser } from './stream';

function run(format: 'sse' | 'ndjson', text: string) {
  let tokens = 0;
  const p = new TokenStreamParser(format, { onToken: () => tokens++ });
  for (const line of text.split('\n')) p.line(line.replace(/\r$/, ''));
  p.end();
  return { tokens, totals: p.totals };
}

describe('TokenStreamParser', () => {
  it('SSE: counts content chunks, reads usage, sees [DONE]', () => {
    const sse = [
      'data: {"model":"qwen","choices":[{"delta":{"role":"assistant"}}]}',
      '',
      'data: {"choices":[{"delta":{"content":"Hel"}}]}',
      '',
      ': keep-alive comment',
      'data: {"choices":[{"delta":{"content":"lo"}}]}',
      '',
      'data: {"choices":[{"delta":{"content":""},"finish_reason":"stop"}]}',
      '',
      'data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}',
      '',
      'data: [DONE]',
      '',
    ].join('\r\n');
    const { tokens, totals } = run('sse', sse);
    expect(tokens).toBe(2);
    expect(totals).toEqual({
      tokenChunks: 2,
      done: true,
      model: 'qwen',
      reportedOutputTokens: 3,
      promptTokens: 7,
    });
  });

  it('SSE: legacy completions (choices[].text) and an event without trailing blank line', () => {
    const { tokens, totals } = run(
      'sse',
      'data: {"choices":[{"text":"a"}]}\n\ndata: {"choices":[{"text":"b"}]}',
    );
    expect(tokens).toBe(2);
    expect(totals.done).toBe(false);
  });

  it('SSE: an event over several data lines is their text joined by newlines', () => {
    const sse = [
      'data: {"model":"m",',
      'data: "choices":[{"delta":{"content":"a"}}]}',
      '',
      'data: {"choices":[{"delta":',
      'data:{"content":"b"}}]}',
      '',
      'data: {"choices":[],',
      'data: "usage":{"prompt_tokens":4,"completion_tokens":2}}',
      '',
      'data: [DONE]',
      '',
    ].join('\n');
    const { tokens, totals } = run('sse', sse);
    expect(tokens).toBe(2);
    expect(totals).toEqual({
      tokenChunks: 2,
      done: true,
      model: 'm',
      reportedOutputTokens: 2,
      promptTokens: 4,
    });
  });

  it('NDJSON (Ollama): response/message chunks, done with eval counts, garbage ignored', () => {
    const nd = [
      '{"model":"qwen2.5:72b","response":"Hi","done":false}',
      'not json',
      '{"model":"qwen2.5:72b","message":{"role":"assistant","content":" there"},"done":false}',
      '{"model":"qwen2.5:72b","response":"","done":true,"done_reason":"stop","eval_count":2,"prompt_eval_count":26}',
    ].join('\n');
    const { tokens, totals } = run('ndjson', nd);
    expect(tokens).toBe(2);
    expect(totals).toEqual({
      tokenChunks: 2,
      done: true,
      model: 'qwen2.5:72b',
      reportedOutputTokens: 2,
      promptTokens: 26,
    });
  });

  it('maps content types to formats', () => {
    expect(formatFromContentType('text/event-stream; charset=utf-8')).toBe('sse');
    expect(formatFromContentType('application/x-ndjson')).toBe('ndjson');
    expect(formatFromContentType('application/json')).toBeUndefined();
  });
});

describe('TokenStreamParser fast path (no JSON.parse mid-stream)', () => {
  it('agrees with the full parse on escaped quotes, empty and null content, tool calls, spaced usage', () => {
    const sse = [
      'data: {"model":"m","choices":[{"delta":{"role":"assistant","content":null}}]}',
      '',
      'data: {"choices":[{"delta":{"content":"\\"quoted\\""}}]}',
      '',
      'data: {"choices":[{"delta":{"content":""}}]}',
      '',
      'data: {"choices":[{"delta":{"tool_calls":[{"index":0}]}}]}',
      '',
      'data: {"choices":[], "usage": {"prompt_tokens":2,"completion_tokens":5}}',
      '',
      'data: [DONE]',
      '',
    ].join('\n');
    const { tokens, totals } = run('sse', sse);
    expect(tokens).toBe(2);
    expect(totals).toMatchObject({
      done: true,
      reportedOutputTokens: 5,
      promptTokens: 2,
      model: 'm',
    });
  });

  it('reads usage without a parse: in every chunk (vLLM continuous_usage_stats), null, nested details, or only quoted in the text', () => {
    const chunk = (content: string, usage: string) =>
      `data: {"choices":[{"delta":{"content":${JSON.stringify(content)}}}],"usage":${usage}}\n\n`;
    const sse =
      'data: {"model":"m","choices":[{"delta":{"role":"assistant","content":""}}],"usage":null}\n\n' +
      chunk('a', '{"prompt_tokens":4,"total_tokens":5,"completion_tokens":1}') +
      chunk(
        'b',
        '{"prompt_tokens":4,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":0}}',
      ) +
      // Last: a text that only quotes a usage object must not count.
      chunk('"usage":{"completion_tokens":99,"prompt_tokens":99}', 'null') +
      'data: [DONE]\n\n';
    const { tokens, totals } = run('sse', sse);
    expect(tokens).toBe(3);
    expect(totals).toMatchObject({ done: true, reportedOutputTokens: 2, promptTokens: 4 });
  });

  it('NDJSON: a spaced "done": true still yields the final statistics', () => {
    const { tokens, totals } = run(
      'ndjson',
      '{"model":"m","response":"a","done":false}\n{"model":"m","response":"","done":false}\n{"model":"m", "done": true, "eval_count": 7}\n',
    );
    expect(tokens).toBe(1);
    expect(totals).toMatchObject({ done: true, reportedOutputTokens: 7 });
  });
});
