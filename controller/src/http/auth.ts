// Bearer-token gate for /api/v1: 401 without a token, 403 with a wrong one. The comparison is
// constant-time over SHA-256 digests, so neither timing nor length leaks the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

export function requireToken(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization');
    if (!header) {
      res.set('WWW-Authenticate', 'Bearer realm="okome-controller"');
      return next(new UnauthorizedError('authorization: bearer token required'));
    }
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) {
      res.set('WWW-Authenticate', 'Bearer realm="okome-controller"');
      return next(new UnauthorizedError('authorization: expected "Bearer <token>"'));
    }
    if (!tokenMatches(token, (m[1] as string).trim()))
      return next(new ForbiddenError('authorization: wrong token'));
    next();
  };
}
