// The control API (127.0.0.1:9800 by default): state, faults, health and readiness. Errors are
// JSON {error, field?} with a 4xx that names the field.
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson, sendText } from '../util/http';
import { validateFault } from './faults';
import type { Simulator } from './sim';

export function createControlServer(getSim: () => Simulator | undefined): Server {
  return http.createServer((req, res) => void route(getSim(), req, res));
}

async function route(
  sim: Simulator | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  try {
    if (req.method === 'GET' && path === '/-/healthy') {
      sendText(res, 200, 'OK\n');
      return;
    }
    if (req.method === 'GET' && path === '/-/ready') {
      if (sim?.allUp()) sendText(res, 200, 'ready\n');
      else sendText(res, 503, sim?.ready ? 'not ready: a node is not up\n' : 'starting\n');
      return;
    }
    if (!sim) throw new HttpError(503, 'simulator is starting');
    if (req.method === 'GET' && path === '/state') {
      sendJson(res, 200, sim.state());
      return;
    }
    if (req.method === 'GET' && path === '/inventory') {
      sendJson(res, 200, sim.derived);
      return;
    }
    if (path === '/faults') {
      if (req.method === 'GET') {
        sendJson(res, 200, { faults: sim.faults.list() });
        return;
      }
      if (req.method === 'POST') {
        const body = await readJson(req);
        const fault = sim.addFault(validateFault(body, sim.derived.nodes));
        await sim.settle();
        sendJson(res, 201, fault);
        return;
      }
      if (req.method === 'DELETE') {
        const cleared = sim.faults.clear();
        await sim.settle();
        sendJson(res, 200, { cleared: cleared.map((f) => f.id) });
        return;
      }
      throw new HttpError(405, `method ${req.method} not allowed on /faults`);
    }
    const m = /^\/faults\/([^/]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1] as string);
      if (req.method === 'GET') {
        const f = sim.faults.list().find((x) => x.id === id);
        if (!f) throw new HttpError(404, `no active fault "${id}"`, 'id');
        sendJson(res, 200, f);
        return;
      }
      if (req.method === 'DELETE') {
        const f = sim.faults.remove(id);
        if (!f) throw new HttpError(404, `no active fault "${id}"`, 'id');
        await sim.settle();
        sendJson(res, 200, { cleared: [f.id] });
        return;
      }
      throw new HttpError(405, `method ${req.method} not allowed on /faults/{id}`);
    }
    throw new HttpError(
      404,
      `no route ${req.method} ${path} (try GET /state, GET|POST|DELETE /faults, DELETE /faults/{id}, /-/healthy, /-/ready)`,
    );
  } catch (err) {
    const e = err instanceof HttpError ? err : new HttpError(500, (err as Error).message);
    sendJson(res, e.status, { error: e.message, ...(e.field ? { field: e.field } : {}) });
  }
}
