// Token events from streamed LLM responses, parsed incrementally on the side of the tap:
// - SSE (OpenAI / vLLM): `data: {json}` events, `data: [DONE]` at the end, an optional usage
//   chunk (`stream_options.include_usage`) before it;
// - NDJSON (Ollama /api/generate, /api/chat): one JSON object per line, `done:true` last, with
//   eval_count / prompt_eval_count.
// A "token" here is a token-bearing chunk (non-empty content); exact counts come from usage.
import { latin1ToUtf8 } from '../../tap/lines';

export type StreamFormat = 'sse' | 'ndjson';

export interface StreamEvents {
  /** A chunk that carried generated text (or a tool call). */
  onToken(): void;
}

export interface StreamTotals {
  tokenChunks: number;
  /** Output tokens reported by the engine (usage.completion_tokens / eval_count). */
  reportedOutputTokens?: number;
  promptTokens?: number;
  /** The stream's own end marker was seen ([DONE] or done:true). */
  done: boolean;
  model?: string;
}

interface OpenAiChunk {
  model?: string;
  choices?: {
    delta?: { content?: string | null; tool_calls?: unknown[]; reasoning_content?: string | null };
    text?: string;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

interface OllamaChunk {
  model?: string;
  response?: string;
  thinking?: string;
  message?: { content?: string; thinking?: string; tool_calls?: unknown[] };
  done?: boolean;
  eval_count?: number;
  prompt_eval_count?: number;
}

// Fast paths: a mid-stream chunk only needs "does it carry text?", which a regex answers
// without JSON.parse, and SSE usage is read the same way; the full parse is kept for the chunk
// that carries the model (the first, when the request did not name one) and Ollama's final
// statistics. This halves the tap's cost per token.
const SSE_TEXT = /"(?:content|text|reasoning_content)":"[^"]|"tool_calls":\[\{/;
const NDJSON_TEXT = /"(?:response|content|thinking)":"[^"]|"tool_calls":\[\{/;
const SSE_USAGE = /"usage":\s*\{/;
const COMPLETION_TOKENS = /"completion_tokens":\s*(\d+)/;
const PROMPT_TOKENS = /"prompt_tokens":\s*(\d+)/;
const NDJSON_DONE = /"done":\s*true/;

/** Line-oriented parser; feed it complete lines (the tap's LineSplitter does the framing). */
export class TokenStreamParser {
  readonly totals: StreamTotals = { tokenChunks: 0, done: false };
  // The event's first `data:` line, and any further ones. Engines send one per event: kept in
  // a field, it costs no array store per token (emptying an array frees its backing store, so
  // the next push allocates one again).
  private sseFirst: string | undefined;
  private sseMore: string[] | undefined;

  constructor(
    readonly format: StreamFormat,
    private readonly events: StreamEvents,
    /** Lines come one char per byte (LineSplitter's latin1 mode): decode before JSON.parse. */
    private readonly latin1 = false,
  ) {}

  private parse(text: string): unknown {
    return JSON.parse(this.latin1 ? latin1ToUtf8(text) : text);
  }

  line(line: string): void {
    if (this.format === 'ndjson') this.ndjson(line);
    else this.sse(line);
  }

  /** Flushes a pending SSE event at end of stream. */
  end(): void {
    if (this.format === 'sse') this.dispatch();
  }

  private sse(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    // Other fields (event:, id:, retry:) and comments (`:`) carry no tokens.
    if (!line.startsWith('data:')) return;
    if (this.sseFirst === undefined) this.sseFirst = line;
    else (this.sseMore ??= []).push(line);
  }

  private dispatch(): void {
    const first = this.sseFirst;
    if (first === undefined) return;
    const more = this.sseMore;
    this.sseFirst = undefined;
    this.sseMore = undefined;
    // A one-line event (what engines send) is searched with its `data:` prefix, which holds
    // none of the markers: no string is cut out of it per token. Its value is cut only to be
    // parsed (the first chunk, when the request named no model).
    const text = more ? [first, ...more].map(sseValue).join('\n') : first;
    const at = more ? 0 : sseValueStart(first);
    if (text.length - at < 16 && text.slice(at).trim() === '[DONE]') {
      this.totals.done = true;
      return;
    }
    if (this.totals.model !== undefined) {
      // `includes` first: a native substring search, much cheaper than a regex on every token.
      if (text.includes('"usage"')) this.usage(text);
      if (SSE_TEXT.test(text)) this.token();
      return;
    }
    let chunk: OpenAiChunk;
    try {
      chunk = this.parse(at ? text.slice(at) : text) as OpenAiChunk;
    } catch {
      return;
    }
    this.totals.model ??= chunk.model ?? '';
    if (chunk.usage) {
      if (typeof chunk.usage.completion_tokens === 'number')
        this.totals.reportedOutputTokens = chunk.usage.completion_tokens;
      if (typeof chunk.usage.prompt_tokens === 'number')
        this.totals.promptTokens = chunk.usage.prompt_tokens;
    }
    const bearing = (chunk.choices ?? []).some(
      (c) =>
        (typeof c.text === 'string' && c.text !== '') ||
        (typeof c.delta?.content === 'string' && c.delta.content !== '') ||
        (typeof c.delta?.reasoning_content === 'string' && c.delta.reasoning_content !== '') ||
        (Array.isArray(c.delta?.tool_calls) && c.delta.tool_calls.length > 0),
    );
    if (bearing) this.token();
  }

  /**
   * Token counts of a usage object, read without JSON.parse: it comes once per request, or with
   * every chunk (vLLM's `continuous_usage_stats`). A quote inside a JSON string is escaped, so
   * `"usage":` and `"completion_tokens":` can only be keys (`*_tokens_details` do not match).
   */
  private usage(data: string): void {
    const at = data.search(SSE_USAGE);
    if (at < 0) return; // "usage": null
    const rest = data.slice(at);
    const completion = COMPLETION_TOKENS.exec(rest);
    if (completion) this.totals.reportedOutputTokens = Number(completion[1]);
    const prompt = PROMPT_TOKENS.exec(rest);
    if (prompt) this.totals.promptTokens = Number(prompt[1]);
  }

  private ndjson(line: string): void {
    if (line.trim() === '') return;
    if (this.totals.model !== undefined && !(line.includes('"done"') && NDJSON_DONE.test(line))) {
      if (NDJSON_TEXT.test(line)) this.token();
      return;
    }
    let chunk: OllamaChunk;
    try {
      chunk = this.parse(line) as OllamaChunk;
    } catch {
      return;
    }
    this.totals.model ??= chunk.model ?? '';
    const text =
      chunk.response || chunk.thinking || chunk.message?.content || chunk.message?.thinking || '';
    if (text !== '' || (chunk.message?.tool_calls?.length ?? 0) > 0) this.token();
    if (chunk.done) {
      this.totals.done = true;
      if (typeof chunk.eval_count === 'number') this.totals.reportedOutputTokens = chunk.eval_count;
      if (typeof chunk.prompt_eval_count === 'number')
        this.totals.promptTokens = chunk.prompt_eval_count;
    }
  }

  private token(): void {
    this.totals.tokenChunks++;
    this.events.onToken();
  }
}

/** Where the value of a `data:` line starts: after the colon and one optional space. */
function sseValueStart(line: string): number {
  return line.charCodeAt(5) === 32 ? 6 : 5;
}

function sseValue(line: string): string {
  return line.slice(sseValueStart(line));
}

/** Stream format from a response content type; undefined when it is not a token stream. */
export function formatFromContentType(contentType: string | undefined): StreamFormat | undefined {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('text/event-stream')) return 'sse';
  if (ct.includes('ndjson') || ct.includes('jsonlines') || ct.includes('json-seq')) return 'ndjson';
  return undefined;
}
