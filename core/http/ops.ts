import type Router from '@koa/router';
import type { Registry } from 'prom-client';
import { renderMetrics, type MetricAliases } from '../metrics/registry.js';

export interface OpsOptions {
  /** Names of what is not ready (journal not writable, API unreachable); empty when ready. */
  problems: () => Promise<string[]>;
  registry: Registry;
  /** Old metric names served as deprecated copies for one release (core/metrics/registry.ts). */
  aliases?: MetricAliases | undefined;
}

/**
 * `/healthz` (the process answers), `/readyz` (it can do its job: 503 with the
 * failing checks otherwise) and Prometheus `/metrics`. Public on purpose: they
 * carry no patient data, and load balancers probe them without a token.
 */
export function addOpsRoutes(router: Router, options: OpsOptions): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const problems = await options.problems().catch((error: unknown) => [String(error)]);
    ctx.status = problems.length === 0 ? 200 : 503;
    ctx.body = { status: problems.length === 0 ? 'ready' : 'not ready', problems };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = options.registry.contentType;
    ctx.body = await renderMetrics(options.registry, options.aliases);
  });
}
