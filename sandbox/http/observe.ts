import type { Middleware } from 'koa';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { DeliveryOutcome } from '../../core/worker.js';
import type { SandboxState } from './state.js';

/**
 * Request metrics and a debug access log. Both use the route pattern
 * (`/v1/geo/zip/:zip`), never the path: paths carry ids and ZIP codes.
 */

export interface SandboxMetrics {
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route'>;
  deliveries: Counter<'outcome'>;
}

export function createMetrics(registry: Registry): SandboxMetrics {
  return {
    requests: new Counter({ name: 'caraloom_sandbox_requests_total', help: 'Sandbox HTTP requests by route pattern and status', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    duration: new Histogram({ name: 'caraloom_sandbox_request_seconds', help: 'Sandbox request duration', labelNames: ['route'], buckets: [0.005, 0.02, 0.1, 0.5, 2], registers: [registry] }),
    deliveries: new Counter({ name: 'caraloom_sandbox_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [registry] }),
  };
}

export function observeRequests(metrics: SandboxMetrics, logger: Logger, clock: Clock): Middleware<SandboxState> {
  return async (ctx, next) => {
    const started = clock.now();
    try {
      await next();
    } finally {
      const route = String((ctx as { _matchedRoute?: unknown })._matchedRoute ?? 'unmatched');
      const seconds = Math.max(0, clock.now() - started) / 1000;
      metrics.requests.inc({ route, method: ctx.method, status: String(ctx.status) });
      metrics.duration.observe({ route }, seconds);
      logger.debug({ method: ctx.method, route, status: ctx.status, keyId: ctx.state.apiKey?.id, ms: Math.round(seconds * 1000) }, 'request');
    }
  };
}

export function countDelivery(metrics: SandboxMetrics): (outcome: DeliveryOutcome) => void {
  return (outcome) => metrics.deliveries.inc({ outcome: outcome.kind });
}
