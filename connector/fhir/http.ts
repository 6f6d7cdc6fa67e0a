/**
 * The FHIR door's HTTP manners (R4 §3.1.0): JSON in and out as
 * `application/fhir+json; fhirVersion=4.0`, every error an OperationOutcome
 * (never the connector's plain JSON error shape), bearer tokens checked in
 * constant time, bodies read with a limit.
 */
import type { Context, Middleware, Next } from 'koa';
import type { Resource } from 'fhir/r4.js';
import { describeError } from '../../core/errors.js';
import { FhirOutcomeError, outcomeFromError } from '../../core/fhir/outcome.js';
import { bearerToken, tokenMatches } from '../../core/http/bearer.js';
import type { Logger } from '../../core/logger.js';

export const fhirContentType = 'application/fhir+json; fhirVersion=4.0';

export function sendResource(ctx: Context, status: number, resource: Resource | undefined): void {
  ctx.status = status;
  // An empty string, not undefined: koa would otherwise write the status text as the body.
  ctx.body = resource ?? '';
  ctx.set('Content-Type', fhirContentType);
}

/** Everything below answers with an OperationOutcome; 5xx are logged by code only. */
export function fhirErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { status, outcome } = outcomeFromError(error);
      if (status >= 500) logger.error({ err: describeError(error), path: ctx.path }, 'fhir request failed');
      if (status === 503) ctx.set('Retry-After', '30');
      sendResource(ctx, status, outcome);
    }
  };
}

/**
 * The same tokens as `POST /hl7`. With none configured the FHIR door is off
 * (404), as the HL7 HTTP door is: a connector exposes nothing it was not told to.
 */
export function fhirGuard(tokens: readonly string[]) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (tokens.length === 0) throw new FhirOutcomeError('NOT_FOUND', 404, [{ code: 'not-found', diagnostics: 'FHIR intake is disabled: set connector.http.tokens' }]);
    if (!tokenMatches(bearerToken(ctx.req.headers), tokens)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new FhirOutcomeError('UNAUTHORIZED', 401, [{ code: 'login', diagnostics: 'missing or wrong bearer token' }]);
    }
    await next();
  };
}

export { readFhirJson } from '../../core/fhir/read-json.js';

/** R4 §3.1.0.8 and the async pattern: `Prefer: respond-sync` / `respond-async`, `return=…`. */
export function preferences(ctx: Context): { sync?: boolean; return?: 'minimal' | 'representation' | 'operationoutcome' } {
  const header = ctx.get('prefer').toLowerCase();
  const sync = /(^|[,;\s])respond-sync\b/.test(header) ? true : /(^|[,;\s])respond-async\b/.test(header) ? false : undefined;
  const ret = /return\s*=\s*"?(minimal|representation|operationoutcome)/.exec(header)?.[1] as 'minimal' | 'representation' | 'operationoutcome' | undefined;
  return { ...(sync === undefined ? {} : { sync }), ...(ret === undefined ? {} : { return: ret }) };
}
