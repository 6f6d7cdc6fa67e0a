import type Router from '@koa/router';
import path from 'node:path';
import type { ConsoleDeps } from '../deps.js';
import { auditBody } from '../pages/audit.js';
import { queryGetter, render } from './common.js';

/**
 * The console's audit trail. The admin APIs have no audit endpoint yet, so
 * the console keeps its own append-only, hash-chained file and shows it here.
 */
export function addAuditRoutes(router: Router, deps: ConsoleDeps, auditFile: string): void {
  router.get('/audit', (ctx) => {
    const get = queryGetter(ctx);
    const filter = { user: get('user'), action: get('action') };
    const entries = deps.audit.read({ ...filter, limit: 500 });
    render(ctx, { title: 'Audit', current: 'audit', body: auditBody(entries, filter, `Console actions and content views, from the console's own audit file (${path.basename(auditFile)}); the newest 500 matching entries.`) });
  });
}
