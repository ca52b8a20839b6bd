// Thin express routes over the engine: validate, call, map named errors to `{error, detail}`.
import express from 'express';
import type { NextFunction, Request, Response } from 'express';

import type { BackendState } from '@okome/provisioning';
import { MANUAL_ACTIONS } from '../conventions';
import type { Engine, Outcome } from '../engine';
import {
  ControllerError,
  NotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';
import { drillsRouter } from '../drills/routes';
import type { DrillService } from '../drills/service';
import { findPool } from '../routing/plan';
import { tokenPathEdges } from '../topology/health';
import type { TopologyService } from '../topology/service';
import { parseWebhook } from '../webhook/validate';
import { requireToken } from './auth';
import { routingView } from './views';

export interface ServerDeps {
  engine: Engine;
  topology: TopologyService;
  token: string;
  /** Largest accepted request body. */
  bodyLimit?: string;
  /** The drill engine (/api/v1/drills, okome_drill_* metrics, kill switch aborts drills). */
  drills?: DrillService;
}

const MANUAL_TO_STATE: Record<(typeof MANUAL_ACTIONS)[number], BackendState> = {
  drain: 'drain',
  disable: 'disabled',
  enable: 'enabled',
};

function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  if (!req.is('application/json'))
    return next(
      new UnsupportedMediaTypeError(
        `content-type: must be application/json, got ${JSON.stringify(req.get('content-type') ?? '')}`,
      ),
    );
  next();
}

function outcomeStatus(o: Outcome): number {
  if (o.result === 'refused') return 409;
  if (o.result === 'failed') return 502;
  return 200;
}

export function createApp(deps: ServerDeps): express.Express {
  const { engine, topology } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/-/healthy', (_req, res) => void res.type('text/plain').send('OK\n'));
  app.get('/-/ready', (_req, res) => {
    if (engine.ready) res.type('text/plain').send('Ready\n');
    else res.status(503).type('text/plain').send('replaying state\n');
  });
  app.get(
    '/metrics',
    (_req, res) =>
      void res
        .type('text/plain; version=0.0.4')
        .send(engine.metrics.render() + (deps.drills?.renderMetrics() ?? '')),
  );

  // Counted before auth, so rejected deliveries show up too.
  app.use('/api/v1/alerts', (_req, res, next) => {
    res.on('finish', () => engine.metrics.webhooks.inc({ code: String(res.statusCode) }));
    next();
  });

  const api = express.Router();
  api.use(requireToken(deps.token));
  api.use(requireJson);
  api.use(express.json({ limit: deps.bodyLimit ?? '1mb', strict: false }));

  api.post('/alerts', async (req, res) => {
    const payload = parseWebhook(req.body);
    const results = await engine.handleWebhook(payload);
    const failed = results.some((r) => r.result === 'failed');
    // 5xx makes Alertmanager retry; the retry is safe because failed alerts were not settled.
    res.status(failed ? 502 : 200).json({ results });
  });

  api.get('/routing', (_req, res) => void res.json(routingView(engine)));

  api.post('/routing/:pool/:backend', async (req, res) => {
    const pool = findPool(engine.inventory, String(req.params.pool));
    if (!pool)
      throw new NotFoundError(`pool: no pool ${JSON.stringify(req.params.pool)} in the inventory`);
    const backend = String(req.params.backend);
    if (!pool.backends.some((b) => b.node === backend))
      throw new NotFoundError(
        `backend: ${JSON.stringify(backend)} is not a backend of pool ${pool.name}`,
      );
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new ValidationError('body', 'must be a JSON object');
    const state = body.state;
    if (state === undefined) throw new ValidationError('state', 'required field is missing');
    if (typeof state !== 'string' || !(MANUAL_ACTIONS as readonly string[]).includes(state))
      throw new ValidationError(
        'state',
        `must be one of ${MANUAL_ACTIONS.join(', ')}, got ${JSON.stringify(state)}`,
      );
    const reason = body.reason;
    if (typeof reason !== 'string' || !reason.trim())
      throw new ValidationError(
        'reason',
        'a non-empty string is required (it goes to the audit journal)',
      );
    const user = body.user === undefined ? 'api' : body.user;
    if (typeof user !== 'string' || !/^[\w.@-]{1,64}$/.test(user))
      throw new ValidationError('user', 'must be a name of letters, digits, ".", "@", "-" or "_"');
    const outcome = await engine.setManual(
      pool.name,
      backend,
      MANUAL_TO_STATE[state as keyof typeof MANUAL_TO_STATE],
      reason,
      `user:${user}`,
    );
    const status = outcomeStatus(outcome);
    if (status === 409)
      return void res.status(409).json({
        error: 'refused_by_guardrail',
        detail: outcome.reason,
        rule: outcome.rule,
        outcome,
      });
    if (status === 502)
      return void res
        .status(502)
        .json({ error: 'actuator_failed', detail: outcome.reason, outcome });
    res.json({ outcome, routing: routingView(engine).pools.find((p) => p.name === pool.name) });
  });

  api.get('/kill-switch', (_req, res) => void res.json(engine.snapshot().killSwitch));
  api.post('/kill-switch', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.enabled !== 'boolean')
      throw new ValidationError('enabled', 'must be true or false');
    const reason = body.reason ?? '';
    if (typeof reason !== 'string') throw new ValidationError('reason', 'must be a string');
    const user = typeof body.user === 'string' && body.user ? body.user : 'api';
    const ks = await engine.setKillSwitch(body.enabled, `user:${user}`, reason);
    if (ks.enabled) deps.drills?.abortAll('kill-switch', `kill switch turned on by ${user}`);
    res.json(ks);
  });

  api.get('/topology', async (_req, res) => {
    const health = await topology.snapshot();
    const state = engine.snapshot();
    const routing = routingView(engine);
    res.json({
      cluster: engine.inventory.cluster,
      simulated: engine.inventory.simulated,
      stale: health.stale,
      updatedAt: health.updatedAt ?? null,
      ...(health.error ? { error: health.error } : {}),
      nodes: health.nodes,
      edges: tokenPathEdges(engine.inventory),
      // The inventory's hop latency budgets: the plugin's Latency budget page shows them per hop.
      budgets: engine.inventory.budgets,
      pools: routing.pools,
      incidents: routing.pools.flatMap((p) =>
        p.backends
          .filter((b) => b.state !== 'enabled' || b.pendingRevertAt)
          .map((b) => ({
            pool: p.name,
            backend: b.node,
            state: b.state,
            why: b.why,
            since: b.since,
            actor: b.actor,
            holders: b.holders,
            pendingRevertAt: b.pendingRevertAt,
          })),
      ),
      activeDrill: deps.drills?.active() ?? null,
      killSwitch: state.killSwitch,
      dryRun: engine.dryRun,
    });
  });

  api.get('/audit', (req, res) => {
    let since: number | undefined;
    if (req.query.since !== undefined) {
      const raw = String(req.query.since);
      since = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
      if (!Number.isFinite(since))
        throw new ValidationError(
          'since',
          `not a time (ISO 8601 or epoch ms): ${JSON.stringify(raw)}`,
        );
    }
    let limit = 100;
    if (req.query.limit !== undefined) {
      const raw = String(req.query.limit);
      limit = Number(raw);
      if (!/^\d+$/.test(raw) || limit < 1 || limit > 10_000)
        throw new ValidationError(
          'limit',
          `must be an integer from 1 to 10000, got ${JSON.stringify(raw)}`,
        );
    }
    res.json({ entries: engine.audit.query(since, limit) });
  });

  if (deps.drills) api.use('/drills', drillsRouter(deps.drills));

  api.use((req, _res, next) =>
    next(new NotFoundError(`path: no endpoint ${req.method} /api/v1${req.path}`)),
  );
  app.use('/api/v1', api);
  app.use(
    (req, res) =>
      void res
        .status(404)
        .json({ error: 'not_found', detail: `path: no endpoint ${req.method} ${req.path}` }),
  );
  app.use(errorHandler);
  return app;
}

/** Named errors → their status; body-parser errors → 400/413; anything else → 500 without internals. */
function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof ControllerError) {
    const status = (err as { status: number }).status;
    res.status(status).json({
      error: err.code,
      detail: err.message,
      ...(err instanceof ValidationError ? { field: err.field } : {}),
    });
    return;
  }
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e.type === 'entity.too.large')
    return void res
      .status(413)
      .json({ error: 'payload_too_large', detail: `body: larger than ${e.limit} bytes` });
  if (e.type === 'entity.parse.failed')
    return void res.status(400).json({
      error: 'invalid_request',
      detail: `body: not valid JSON (${e.message})`,
      field: 'body',
    });
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return void res
      .status(e.status)
      .json({ error: 'invalid_request', detail: `body: ${e.message ?? 'rejected'}` });
  process.stderr.write(
    `okome-controller: internal error: ${(err as Error)?.stack ?? String(err)}\n`,
  );
  res.status(500).json({ error: 'internal_error', detail: 'see the controller log' });
}
