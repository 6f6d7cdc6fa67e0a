import type { Middleware } from 'koa';
import { bearerToken } from '../../core/http/bearer.js';
import { CaraloomError } from '../../core/errors.js';
import { keyPattern, type KeyRing } from '../store/keys.js';
import type { SandboxState } from './state.js';

/**
 * `Authorization: Bearer <key>` or `X-API-Key: <key>`. Throws CaraloomError
 * 401 with a stable code (`KEY_MISSING`, `KEY_MALFORMED`, `KEY_UNKNOWN`) so
 * each door renders it its own way (native envelope, FHIR OperationOutcome).
 */
export function createAuthenticate(keys: KeyRing): Middleware<SandboxState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const fromApiKey = ctx.get('x-api-key').trim();
    let presented: string | undefined;
    if (header !== '') {
      presented = bearerToken(ctx.req.headers);
      if (presented === undefined) throw unauthorized(ctx, 'KEY_MALFORMED', 'Authorization must be "Bearer <key>"');
    } else if (fromApiKey !== '') {
      presented = fromApiKey;
    }
    if (presented === undefined) throw unauthorized(ctx, 'KEY_MISSING', 'an API key is required: Authorization: Bearer <key> or X-API-Key: <key>');
    if (!keyPattern.test(presented)) throw unauthorized(ctx, 'KEY_MALFORMED', 'API key is malformed: expected clk_sandbox_ followed by letters and digits');
    const record = await keys.find(presented);
    if (record === undefined) throw unauthorized(ctx, 'KEY_UNKNOWN', 'API key is not known to this sandbox: issue one with `caraloom sandbox key`');
    ctx.state.apiKey = record;
    await next();
  };
}

function unauthorized(ctx: { set(name: string, value: string): void }, code: string, message: string): CaraloomError {
  ctx.set('WWW-Authenticate', 'Bearer realm="caraloom-sandbox"');
  return new CaraloomError(code, message, { status: 401 });
}
