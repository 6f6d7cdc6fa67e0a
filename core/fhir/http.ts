/**
 * The HTTP manners every FHIR door shares (the sandbox's facade and the
 * connector's intake; R4 §3.1.0): resources out as
 * `application/fhir+json; fhirVersion=4.0`, every error an OperationOutcome
 * (never a service's plain JSON error shape), `Prefer` read one way. Bodies
 * are read with core/fhir/read-json.ts; tokens are checked by
 * core/http/bearer-guard.ts, whose refusals render here as OperationOutcomes.
 */
import type { Resource } from 'fhir/r4.js';
import type { Context, Middleware } from 'koa';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { outcomeFromError } from './outcome.js';
import { logSafe } from '../log-safe.js';

export { readFhirJson, fhirJsonTypes } from './read-json.js';

export const fhirContentType = 'application/fhir+json; fhirVersion=4.0';

export function sendResource(ctx: Context, status: number, resource: Resource | undefined): void {
  if (resource === undefined) {
    // An explicit null body first (koa then sends nothing), the status after it (null alone would make it 204).
    ctx.body = null;
    ctx.status = status;
    return;
  }
  ctx.status = status;
  ctx.body = resource;
  ctx.set('Content-Type', fhirContentType);
}

/**
 * Catch everything below and answer with an OperationOutcome, keeping
 * headers already set (WWW-Authenticate, RateLimit-*). A 503 without a
 * Retry-After gets one, so a client waits instead of hammering.
 */
export function fhirErrors<S = unknown>(logger: Logger): Middleware<S> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { status, outcome } = outcomeFromError(error);
      if (status >= 500) logger.error({ err: describeError(error), path: logSafe(ctx.path) }, 'fhir request failed');
      if (status === 503 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', '30'); // koa 3 answers undefined, older '' for an unset header
      sendResource(ctx as unknown as Context, status, outcome);
    }
  };
}

export interface Preferences {
  /** `respond-sync` (true) or `respond-async` (false), when asked. */
  sync?: boolean;
  return?: 'minimal' | 'representation' | 'operationoutcome';
}

/** R4 §3.1.0.8 and the async pattern: `Prefer: respond-sync` / `respond-async`, `return=…`. */
export function preferences(ctx: Pick<Context, 'get'>): Preferences {
  const header = ctx.get('prefer').toLowerCase();
  const sync = /(^|[,;\s])respond-sync\b/.test(header) ? true : /(^|[,;\s])respond-async\b/.test(header) ? false : undefined;
  const ret = /return\s*=\s*"?(minimal|representation|operationoutcome)/.exec(header)?.[1] as Preferences['return'];
  return { ...(sync === undefined ? {} : { sync }), ...(ret === undefined ? {} : { return: ret }) };
}
