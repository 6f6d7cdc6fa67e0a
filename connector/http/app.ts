/**
 * The connector's HTTP door: `POST /hl7` (ER7 body in, the ACK as the body
 * out, behind `connector.http.tokens`), the admin API, and the public probes.
 * It only translates HTTP to and from `ingest()`.
 */
import Router from '@koa/router';
import Koa from 'koa';
import { describeError, isCaraloomError } from '../../core/errors.js';
import { addOpsRoutes, type OpsOptions } from '../../core/http/ops.js';
import { mediaType, readRawBody } from '../../core/http/raw-body.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorAdmin } from '../admin.js';
import type { Hl7IngestInput, Hl7IngestResult } from '../ingest.js';
import { addAdminRoutes } from './admin-routes.js';
import { bearerGuard } from '../../core/http/bearer-guard.js';
import type { AdminToken } from '../../core/http/bearer.js';
import { logSafe } from '../../core/log-safe.js';
import { addReloadRoute, type Reload } from '../../core/reload.js';

export interface ConnectorAppOptions {
  /** The pipeline for HL7 v2 bodies (the FHIR door has its own router over the same `ingest`). */
  ingest: (input: Hl7IngestInput) => Promise<Hl7IngestResult>;
  admin: ConnectorAdmin;
  ops: OpsOptions;
  hl7Tokens: readonly string[];
  adminTokens: readonly AdminToken[];
  bodyLimit: number;
  logger: Logger;
  /** Runs before every route and may answer itself (the disk floor answers intake 503). */
  admission?: Koa.Middleware | undefined;
  /** The FHIR R4 door (`/fhir/*`, connector/fhir/router.ts), mounted when given. */
  fhir?: Router | undefined;
  /** `POST /admin/reload` (operator): re-read the mapping folders. */
  reload?: Reload | undefined;
}

const HL7_TYPES = new Set(['x-application/hl7-v2+er7', 'application/hl7-v2', 'application/hl7-v2+er7', 'text/plain']);

export function createConnectorApp(options: ConnectorAppOptions): Koa {
  const app = new Koa();
  const router = new Router();
  const log = options.logger;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = isCaraloomError(error) ? error.status : 500;
      if (status >= 500) log.error({ err: describeError(error), path: logSafe(ctx.path) }, 'request failed');
      ctx.status = status;
      ctx.body = { error: { code: isCaraloomError(error) ? error.code : 'INTERNAL', message: isCaraloomError(error) && error.expose ? error.message : 'internal error' } };
    }
  });
  if (options.admission !== undefined) app.use(options.admission);
  addOpsRoutes(router, options.ops);
  router.post('/hl7', bearerGuard(options.hl7Tokens, { disabled: 'HTTP intake disabled: set connector.http.tokens' }), async (ctx) => {
    if (!HL7_TYPES.has(mediaType(ctx.req))) {
      ctx.status = 415;
      ctx.body = { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: `send ER7 text as ${[...HL7_TYPES].join(' or ')}` } };
      return;
    }
    const bytes = await readRawBody(ctx.req, options.bodyLimit);
    // The socket's address, not X-Forwarded-For: a header anyone on the LAN can write.
    const result = await options.ingest({ kind: 'hl7', bytes, door: 'http', peer: ctx.req.socket.remoteAddress });
    if (result.reply === undefined) {
      ctx.status = 204; // an ACK came in, or MSH-15 asked for no acknowledgement
      return;
    }
    // AR 207: the message was not stored. 503 makes HTTP senders (Mirth's HTTP Sender too) queue and retry.
    ctx.status = result.outcome === 'unavailable' ? 503 : 200;
    ctx.type = `x-application/hl7-v2+er7; charset=${result.encoding}`;
    ctx.body = result.reply;
  });
  addAdminRoutes(router, options.admin, options.adminTokens);
  // After addAdminRoutes: its `/admin` guard (tokens, roles) is in front of this route too.
  if (options.reload !== undefined) addReloadRoute(router, options.reload);
  app.use(router.routes()).use(router.allowedMethods());
  if (options.fhir !== undefined) app.use(options.fhir.routes());
  app.on('error', (error: unknown) => log.debug({ err: describeError(error) }, 'http error'));
  return app;
}
