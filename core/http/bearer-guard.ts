/**
 * The one bearer-token guard of every HTTP door (`POST /hl7`, `/fhir/*`,
 * `/admin/*`), over core/http/bearer.ts's constant-time check. It throws a
 * CaraloomError (404 when no token is configured: the door is off, so a
 * service exposes nothing it was not told to; 401 otherwise) and leaves the
 * rendering to the door's own error middleware — a JSON error on the
 * connector's routes, an OperationOutcome on a FHIR door.
 */
import type { Middleware } from 'koa';
import { CaraloomError } from '../errors.js';
import { bearerToken, tokenMatches } from './bearer.js';

export interface BearerGuardOptions {
  /** Said in the 404 when no token is configured, e.g. `FHIR intake is disabled: set connector.http.tokens`. */
  disabled: string;
  /** `WWW-Authenticate` challenge on a 401. @default 'Bearer' */
  challenge?: string;
}

export function bearerGuard<S = unknown>(tokens: readonly string[], options: BearerGuardOptions): Middleware<S> {
  return async (ctx, next) => {
    if (tokens.length === 0) throw new CaraloomError('NOT_FOUND', options.disabled, { status: 404, expose: true });
    if (!tokenMatches(bearerToken(ctx.req.headers), tokens)) {
      ctx.set('WWW-Authenticate', options.challenge ?? 'Bearer');
      throw new CaraloomError('UNAUTHORIZED', 'missing or wrong bearer token', { status: 401, expose: true });
    }
    await next();
  };
}
