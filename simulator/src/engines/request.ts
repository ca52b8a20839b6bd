// Request plumbing shared by the fake engines: an abort signal tied to the client connection,
// field checks that name what was wrong, and the non-streaming answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../util/http';
import { EngineFault } from './core';
import type { GenerationResult } from './core';

/** Aborts when the client goes away before the response finished. */
export function clientSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const ac = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) ac.abort(new Error('client closed the connection'));
  };
  res.on('close', onClose);
  req.on('aborted', onClose);
  return ac.signal;
}

export function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) throw new HttpError(400, 'request body is required (JSON object)');
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${key}: expected a string`, key);
  return v;
}

export function optionalBool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new HttpError(400, `${key}: expected a boolean`, key);
  return v;
}

export function optionalInt(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new HttpError(400, `${key}: expected an integer`, key);
  return v;
}

export interface ChatMessage {
  role: string;
  content: string;
}

export function parseMessages(o: Record<string, unknown>, required: boolean): ChatMessage[] {
  const v = o.messages;
  if (v === undefined || v === null) {
    if (required) throw new HttpError(400, 'messages: field required', 'messages');
    return [];
  }
  if (!Array.isArray(v)) throw new HttpError(400, 'messages: expected an array', 'messages');
  return v.map((m, i) => {
    if (typeof m !== 'object' || m === null)
      throw new HttpError(400, `messages[${i}]: expected an object`, 'messages');
    const role = (m as Record<string, unknown>).role;
    const content = (m as Record<string, unknown>).content;
    if (typeof role !== 'string')
      throw new HttpError(400, `messages[${i}].role: field required`, 'messages');
    let text = '';
    if (typeof content === 'string') text = content;
    else if (Array.isArray(content))
      text = content
        .map((p) =>
          typeof p === 'object' && p && typeof (p as { text?: unknown }).text === 'string'
            ? (p as { text: string }).text
            : '',
        )
        .join('');
    return { role, content: text };
  });
}

export function promptOf(messages: ChatMessage[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n');
}

/**
 * A non-streaming answer (`stream: false`): the whole generation as one JSON body, or, when
 * the engine fails (GPU out of memory or lost), 500 with the engine's own error body.
 */
export async function sendWhole(
  res: ServerResponse,
  generate: () => Promise<GenerationResult>,
  body: (r: GenerationResult) => unknown,
  faultBody: (err: EngineFault) => unknown,
): Promise<void> {
  let result: GenerationResult;
  try {
    result = await generate();
  } catch (err) {
    if (!(err instanceof EngineFault)) throw err;
    sendJson(res, 500, faultBody(err));
    return;
  }
  sendJson(res, 200, body(result));
}
