import { tokenLatencyObserver } from './observer';
import type { TapRequestInfo } from '../../tap/types';
import type { RequestObservation } from './metrics';

const cfg = { hop: 'engine', engine: 'vllm', node: 'NODE-07', format: 'sse' as const };
const CHAT_REQUEST: TapRequestInfo = {
  tap: 'vllm',
  method: 'POST',
  path: '/v1/chat/completions',
  headers: {},
  startedAt: 0,
  wallTime: 0,
};

function exchange(contentType: string, body: string, status = 200): RequestObservation[] {
  const seen: RequestObservation[] = [];
  const ex = tokenLatencyObserver(cfg, (o) => seen.push(o)).onRequest(CHAT_REQUEST);
  if (!ex) throw new Error('POST not observed');
  const request = Buffer.from('{"model":"m","stream":false}');
  ex.onRequestChunk?.(request, 1);
  ex.onRequestEnd?.(request.length, 1);
  ex.onResponse?.({ status, headers: { 'content-type': contentType }, at: 4 });
  ex.onChunk?.(Buffer.from(body), 5);
  ex.onEnd?.({
    requestBytes: request.length,
    responseBytes: body.length,
    chunks: 1,
    status,
    startedAt: 0,
    endedAt: 10,
  });
  return seen;
}

describe('token-latency observer on a tap forced to SSE', () => {
  it('does not count a complete non-streaming JSON answer as a failure', () => {
    const [o] = exchange('application/json', '{"choices":[{"message":{"content":"hi"}}]}');
    expect(o?.failure).toBeUndefined();
  });

  it('still counts an SSE stream without [DONE] as incomplete', () => {
    const [o] = exchange('text/event-stream', 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
    expect(o?.failure).toBe('incomplete');
  });

  it('labels with the request’s model and still reads usage when the stream names another', () => {
    const [o] = exchange(
      'text/event-stream',
      'data: {"model":"m-awq","choices":[{"delta":{"content":"a"}}]}\n\n' +
        'data: {"model":"m-awq","choices":[{"delta":{"content":"b"}}]}\n\n' +
        'data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2}}\n\ndata: [DONE]\n\n',
    );
    expect(o).toMatchObject({ labels: { model: 'm' }, outputTokens: 2, promptTokens: 7 });
    expect(o?.failure).toBeUndefined();
  });

  it('counts a 5xx JSON answer as a failure', () => {
    const [o] = exchange('application/json', '{"error":"oom"}', 503);
    expect(o?.failure).toBe('http_5xx');
  });
});

describe('inter-token gaps', () => {
  const tok = (t: string) => `data: {"choices":[{"delta":{"content":"${t}"}}]}\n\n`;

  function gaps(chunks: [string, number][]): number[] {
    const seen: RequestObservation[] = [];
    const ex = tokenLatencyObserver(cfg, (o) => seen.push(o)).onRequest(CHAT_REQUEST)!;
    ex.onResponse?.({ status: 200, headers: { 'content-type': 'text/event-stream' }, at: 1 });
    for (const [body, at] of chunks) ex.onChunk?.(Buffer.from(body), at);
    ex.onEnd?.({
      requestBytes: 0,
      responseBytes: 0,
      chunks: 0,
      status: 200,
      startedAt: 0,
      endedAt: 99,
    });
    return seen[0]!.itl;
  }

  it('are the time between deliveries that carried tokens', () => {
    expect(
      gaps([
        [tok('a'), 10],
        [tok('b'), 30],
        [tok('c'), 35],
      ]),
    ).toEqual([0.02, 0.005]);
  });

  it('are not counted between tokens of one upstream read (same `at`): the client gets them at once', () => {
    // The tap hands every chunk of one read the same time; 3 tokens in one read, then one more.
    expect(
      gaps([
        [tok('a'), 10],
        [tok('b'), 10],
        [tok('c'), 10],
        [tok('d'), 50],
      ]),
    ).toEqual([0.04]);
  });
});

describe('labels of the exchanges', () => {
  function observe(observer: ReturnType<typeof tokenLatencyObserver>, model: string) {
    const ex = observer.onRequest(CHAT_REQUEST);
    const body = Buffer.from(JSON.stringify({ model, stream: true }));
    ex?.onRequestChunk?.(body, 1);
    ex?.onRequestEnd?.(body.length, 1);
    ex?.onAbort?.({ requestBytes: 0, responseBytes: 0, chunks: 0, startedAt: 0, endedAt: 2 });
  }

  it('are one object per model, and right for every model however many there are', () => {
    const seen: RequestObservation[] = [];
    const observer = tokenLatencyObserver(cfg, (o) => seen.push(o));
    const models = Array.from({ length: 300 }, (_, i) => `model-${i}`);
    for (const m of [...models, ...models]) observe(observer, m);
    expect(seen.map((o) => o.labels.model)).toEqual([...models, ...models]);
    for (const o of seen) expect(o.labels).toMatchObject({ hop: 'engine', node: 'NODE-07' });
    // The first models' exchanges share their labels (what the metrics key attributes by).
    expect(seen[300]!.labels).toBe(seen[0]!.labels);
    expect(seen[0]!.labels).not.toBe(seen[1]!.labels);
  });
});
