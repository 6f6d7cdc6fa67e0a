import type { Context, Middleware } from 'koa';
import type { Clock } from '../../core/clock.js';
import { CaraloomError, describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { renderRate } from '../rate-limiter.js';
import type { SandboxState } from './state.js';

/**
 * The native envelope: `{ data, rate }` on success, `{ error: { code,
 * message, details? }, rate }` on failure. Only exposed messages reach the
 * client; anything unexpected becomes a fixed 500 and is logged (code only).
 */

export function sendData(ctx: Context, clock: Clock, status: number, data: unknown): void {
  ctx.status = status;
  ctx.body = { data, rate: renderRate((ctx.state as SandboxState).rate, clock.now()) };
}

/** Turn anything thrown into a CaraloomError a client may see. */
export function toClientError(error: unknown): CaraloomError {
  if (error instanceof CaraloomError) return error;
  // koa / @koa/router / http-errors throw objects with status and expose.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : 'BAD_REQUEST';
    return new CaraloomError(code, (error as Error).message || 'bad request', { status });
  }
  return new CaraloomError('INTERNAL', 'internal error', { status: 500, cause: error });
}

export function renderError(ctx: Context, error: unknown, clock: Clock, logger: Logger): void {
  const client = toClientError(error);
  if (client.status >= 500) logger.error({ code: client.code, err: describeError(client.cause ?? error), path: ctx.path }, 'request failed');
  ctx.status = client.status;
  ctx.body = {
    error: {
      code: client.code,
      message: client.expose ? client.message : 'internal error',
      ...(client.details === undefined || !client.expose ? {} : { details: client.details }),
    },
    rate: renderRate((ctx.state as SandboxState).rate, clock.now()),
  };
}

/** Catch every error below and render it in the native envelope. */
export function nativeErrors(clock: Clock, logger: Logger): Middleware<SandboxState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      renderError(ctx, error, clock, logger);
    }
  };
}
