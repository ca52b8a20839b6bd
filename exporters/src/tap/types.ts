// The tap's observer contract (README.md "Tap API"). Observers see every exchange from the side:
// they get the same Buffer objects that are being forwarded and must neither modify nor keep
// them beyond the callback. Times are performance.now() milliseconds (monotonic).
import type { IncomingHttpHeaders } from 'node:http';

export interface TapRequestInfo {
  /** Tap name (e.g. `ollama`), for observers shared between taps. */
  readonly tap: string;
  readonly method: string;
  /** Path and query as the client sent them. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** From Content-Length; undefined for chunked request bodies (see onRequestEnd). */
  readonly contentLength?: number;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** Date.now() when the request arrived. */
  readonly wallTime: number;
}

export interface TapResponseInfo {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** performance.now() when the upstream response headers arrived. */
  readonly at: number;
}

export interface TapSummary {
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Response writes to the client (one per upstream read that carried payload). */
  readonly chunks: number;
  /** Status the client saw (502/504 when the tap answered itself), if any. */
  readonly status?: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

export type TapErrorKind =
  /** Could not connect or the upstream refused/reset before answering (client got 502). */
  | 'connect'
  /** Upstream sent nothing for the idle timeout (504 before headers; cut after). */
  | 'timeout'
  /** Upstream broke the response after headers were sent (client stream cut). */
  | 'upstream-reset'
  /** The client's request body failed (client reset while uploading). */
  | 'request';

export interface TapError {
  readonly kind: TapErrorKind;
  readonly message: string;
}

/** Callbacks for one exchange. Exactly one of onEnd, onAbort, onError is called, once. */
export interface TapExchangeObserver {
  onRequestChunk?(chunk: Buffer, at: number): void;
  onRequestEnd?(bytes: number, at: number): void;
  onResponse?(res: TapResponseInfo): void;
  /**
   * The decoded payload of one upstream read, as forwarded to the client in one write (several
   * HTTP chunks — tokens of a streaming engine — that came in one TCP read arrive together).
   * `at` is when that read was handled.
   */
  onChunk?(chunk: Buffer, at: number): void;
  /** The response was fully delivered to the client. */
  onEnd?(summary: TapSummary): void;
  /** The client went away before the response ended; the upstream request was cancelled. */
  onAbort?(summary: TapSummary): void;
  onError?(error: TapError, summary: TapSummary): void;
}

export interface TapObserver {
  /** Return callbacks for this exchange, or nothing to let it pass unobserved. */
  onRequest(req: TapRequestInfo): TapExchangeObserver | undefined | void;
}

export interface TapStats {
  /** Exchanges in progress. */
  readonly active: number;
  readonly total: number;
  readonly aborted: number;
  readonly errors: number;
  /** Exceptions thrown by observer callbacks (swallowed; traffic is never affected). */
  readonly observerErrors: number;
  /** Client connections currently open. */
  readonly clientSockets: number;
  /** Upstream connections open (in use + idle keep-alive). */
  readonly upstreamSockets: number;
}
