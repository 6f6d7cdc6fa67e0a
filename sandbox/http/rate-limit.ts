import type { Middleware } from 'koa';
import type { Clock } from '../../core/clock.js';
import { CaraloomError } from '../../core/errors.js';
import type { RateLimiter, RateSnapshot } from '../rate-limiter.js';
import type { SandboxState } from './state.js';

/**
 * Count the request against the caller's key (run after `authenticate`), put
 * the windows on `ctx.state.rate` and in headers, and throw CaraloomError 429
 * `RATE_LIMITED` with `Retry-After` (seconds) when a window is exhausted.
 *
 * Headers: `RateLimit-Limit/Remaining/Reset` (IETF draft, for the window
 * closest to running out) and `RateLimit-Policy` naming both windows.
 */
export function createRateLimit(limiter: RateLimiter, clock: Clock): Middleware<SandboxState> {
  return async (ctx, next) => {
    const keyId = ctx.state.apiKey?.id;
    if (keyId === undefined) throw new CaraloomError('INTERNAL', 'rate limit ran before authentication', { status: 500 });
    const decision = limiter.take(keyId);
    ctx.state.rate = decision.snapshot;
    for (const [name, value] of Object.entries(rateHeaders(decision.snapshot, clock.now()))) ctx.set(name, value);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil((decision.retryAfterMs ?? 0) / 1000));
      ctx.set('Retry-After', String(seconds));
      const limit = decision.exhausted === 'day' ? decision.snapshot.day.limit : decision.snapshot.minute.limit;
      throw new CaraloomError('RATE_LIMITED', `rate limit exceeded: ${limit} requests a ${decision.exhausted}; retry in ${seconds} s`, {
        status: 429,
        retryable: true,
        details: { window: decision.exhausted, retry_after_seconds: seconds },
      });
    }
    await next();
  };
}

export function rateHeaders(snapshot: RateSnapshot, now: number): Record<string, string> {
  const windows = [
    { name: 'minute', seconds: 60, state: snapshot.minute },
    { name: 'day', seconds: 86_400, state: snapshot.day },
  ].filter((entry) => entry.state.limit !== null);
  if (windows.length === 0) return {};
  const tightest = windows.reduce((a, b) => (b.state.remaining! < a.state.remaining! ? b : a));
  return {
    'RateLimit-Limit': String(tightest.state.limit),
    'RateLimit-Remaining': String(tightest.state.remaining),
    'RateLimit-Reset': String(Math.max(0, Math.ceil((tightest.state.resetAt! - now) / 1000))),
    'RateLimit-Policy': windows.map((entry) => `${entry.state.limit};w=${entry.seconds};comment="${entry.name}"`).join(', '),
  };
}
