import type { Context, Next } from 'koa';
import { bearerToken, tokenMatches } from '../../core/http/bearer.js';

/**
 * Bearer-token guard. With no token configured the routes answer 404 (the
 * door is off), so a connector exposes nothing it was not told to.
 */
export function bearerGuard(tokens: readonly string[], disabledHint: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (tokens.length === 0) {
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: disabledHint } };
      return;
    }
    if (!tokenMatches(bearerToken(ctx.req.headers), tokens)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' } };
      return;
    }
    await next();
  };
}
