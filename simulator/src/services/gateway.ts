// Fake OKOME gateway: the control plane (auth/session, model choice, routing policy). The
// token path does not cross it, so losing it must not stop streams that are running.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Inventory } from '@okome/provisioning';
import { HttpError, readJson, sendJson } from '../util/http';

export function createGatewayHandler(inv: Inventory) {
  const sessions = new Map<string, { model: string; createdAt: number }>();
  const defaultModel = inv.models[0]?.name ?? 'default';
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (req.method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/health')) {
        sendJson(res, 200, { status: 'ok', sessions: sessions.size });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        sendJson(res, 200, {
          object: 'list',
          data: inv.models.map((m) => ({
            id: m.name,
            object: 'model',
            owned_by: inv.cluster,
            engine: m.engine,
          })),
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/sessions') {
        const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
        const model = typeof body.model === 'string' ? body.model : defaultModel;
        if (!inv.models.some((m) => m.name === model))
          throw new HttpError(400, `model: unknown model "${model}"`, 'model');
        const id = randomBytes(12).toString('hex');
        sessions.set(id, { model, createdAt: Date.now() });
        sendJson(
          res,
          201,
          { session: id, model },
          { 'set-cookie': `okome_session=${id}; Path=/; HttpOnly` },
        );
        return;
      }
      const m = /^\/v1\/sessions\/([0-9a-f]+)$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const s = sessions.get(m[1] as string);
        if (!s) throw new HttpError(404, 'session not found');
        sendJson(res, 200, { session: m[1], ...s });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v1/policy') {
        sendJson(res, 200, {
          cluster: inv.cluster,
          defaultModel,
          pools: inv.routing.pools.map((p) => ({ name: p.name, hop: p.hop, balance: p.balance })),
        });
        return;
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, (err as Error).message);
      sendJson(res, e.status, { error: e.message, ...(e.field ? { field: e.field } : {}) });
    }
  };
}
