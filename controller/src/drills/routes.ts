// Thin express routes for /api/v1/drills, mounted inside the controller's authenticated API
// router (bearer token, JSON bodies and the {error, detail} error mapping come from there).
import express from 'express';
import type { Router } from 'express';
import { ValidationError } from './errors';
import { PreflightError } from './service';
import type { DrillService } from './service';

export function drillsRouter(drills: DrillService): Router {
  const r = express.Router();

  r.get('/', (req, res) => {
    let limit = 50;
    if (req.query.limit !== undefined) {
      const raw = String(req.query.limit);
      limit = Number(raw);
      if (!/^\d+$/.test(raw) || limit < 1 || limit > 1000)
        throw new ValidationError(
          'limit',
          `must be an integer from 1 to 1000, got ${JSON.stringify(raw)}`,
        );
    }
    res.json(drills.list(limit));
  });

  r.post('/', async (req, res) => {
    try {
      const out = await drills.start(req.body);
      if ('dryRun' in out) return void res.json(out);
      res.status(202).location(`/api/v1/drills/${out.id}`).json(out);
    } catch (err) {
      if (err instanceof PreflightError)
        return void res
          .status(409)
          .json({ error: err.code, detail: err.message, preflight: err.preflight });
      throw err;
    }
  });

  r.get('/scenarios/:name', (req, res) => {
    const { file: _file, ...s } = drills.scenario(String(req.params.name));
    res.json(s);
  });

  r.get('/:id', (req, res) => void res.json(drills.get(String(req.params.id))));

  r.post('/:id/abort', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new ValidationError('body', 'must be a JSON object');
    const user = body.user === undefined ? 'api' : body.user;
    if (typeof user !== 'string' || !/^[\w.@-]{1,64}$/.test(user))
      throw new ValidationError('user', 'must be a name of letters, digits, ".", "@", "-" or "_"');
    res.status(202).json(drills.abort(String(req.params.id), user));
  });

  return r;
}
