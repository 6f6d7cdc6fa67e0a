/**
 * The console's Koa app, in pipeline order:
 * headers → errors → assets, login (public) → session → CSRF → pages.
 */
import Router from '@koa/router';
import Koa from 'koa';
import { describeError, isCaraloomError } from '../core/errors.js';
import { addAssetRoutes } from './assets.js';
import type { ConsoleDeps } from './deps.js';
import { csrfGuard, loadSession, requireSession } from './http/auth.js';
import { securityHeaders } from './http/security.js';
import { html } from './html.js';
import { page } from './pages/layout.js';
import { addActionRoutes } from './routes/actions.js';
import { addAuditRoutes } from './routes/audit.js';
import { addDashboardRoutes } from './routes/dashboard.js';
import { addLoginRoutes, addLogoutRoute } from './routes/login.js';
import { addMessageRoutes } from './routes/messages.js';
import { addPlaygroundRoutes } from './routes/playground.js';
import { addRelayRoutes } from './routes/relay.js';

export function createConsoleApp(deps: ConsoleDeps, auditFile: string): Koa {
  const app = new Koa({ proxy: false });
  const log = deps.logger;
  app.use(securityHeaders);
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = isCaraloomError(error) ? error.status : 500;
      log[status >= 500 ? 'error' : 'warn']({ err: describeError(error), path: ctx.path }, 'console request failed');
      ctx.status = status;
      ctx.type = 'html';
      const message = isCaraloomError(error) && error.expose ? error.message : 'Something went wrong; the console log has the details.';
      ctx.body = page({ title: 'Error', body: html`<p>${message}</p>` }).text;
    }
  });
  const open = new Router();
  addAssetRoutes(open);
  addLoginRoutes(open, deps);
  // Browsers ask for it on every first visit; an empty answer keeps a 404 out of their console.
  open.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });
  open.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  app.use(loadSession(deps.sessions));
  app.use(open.routes()).use(open.allowedMethods());

  const pages = new Router();
  addLogoutRoute(pages, deps);
  addDashboardRoutes(pages, deps);
  addMessageRoutes(pages, deps);
  addActionRoutes(pages, deps);
  addRelayRoutes(pages, deps);
  addPlaygroundRoutes(pages, deps);
  addAuditRoutes(pages, deps, auditFile);
  app.use(async (ctx, next) => {
    // Routes the open router answered are done; everything else needs a session and, for posts, the CSRF token.
    if (ctx.body !== undefined || ctx.status !== 404) return;
    await requireSession(ctx, async () => csrfGuard(ctx, next));
  });
  app.use(pages.routes()).use(pages.allowedMethods());
  app.on('error', (error: unknown) => log.debug({ err: describeError(error) }, 'console http error'));
  return app;
}
