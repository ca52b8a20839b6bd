// Fake TensorFlow Serving REST API: model status, metadata and :predict. It shares the GPU
// with the LLM engines (arbitration), so its process and memory matter more than its answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson } from '../util/http';
import { sleep } from '../util/time';
import type { EngineCore } from './core';
import { clientSignal } from './request';

export function createTensorflowHandler(core: EngineCore) {
  const name = core.models.own[0]?.name ?? 'default';
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      const m =
        /^\/v1\/models\/([^/:]+)(?:\/versions\/\d+)?(\/metadata|:predict|:classify|:regress)?$/.exec(
          url.pathname,
        );
      if (!m) throw new HttpError(404, `Malformed request: ${req.method} ${url.pathname}`);
      if (m[1] !== name)
        throw new HttpError(404, `Servable not found for request: Latest(${m[1]})`);
      if (req.method === 'GET' && !m[2]) {
        sendJson(res, 200, {
          model_version_status: [
            { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
          ],
        });
        return;
      }
      if (req.method === 'GET' && m[2] === '/metadata') {
        sendJson(res, 200, {
          model_spec: { name, signature_name: '', version: '1' },
          metadata: { signature_def: { signature_def: {} } },
        });
        return;
      }
      if (req.method === 'POST' && m[2] && m[2] !== '/metadata') {
        const body = (await readJson(req)) as { instances?: unknown[] } | undefined;
        if (!body || !Array.isArray(body.instances))
          throw new HttpError(400, 'JSON Value: missing "instances" array');
        const signal = clientSignal(req, res);
        if (core.ctx.effects().gpuLost)
          throw new HttpError(
            500,
            'Internal: CUDA runtime implicit initialization on GPU:0 failed. Status: device kernel image is invalid',
          );
        const release = await core.slots.acquire(signal);
        try {
          await sleep(core.models.own[0]?.firstTokenMs ?? 15, signal);
        } finally {
          release();
        }
        sendJson(res, 200, {
          predictions: body.instances.map((_, i) => [0.5 + ((i * 7919) % 100) / 1000]),
        });
        return;
      }
      throw new HttpError(405, `Method ${req.method} not allowed`);
    } catch (err) {
      if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
      else if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
    }
  };
}
