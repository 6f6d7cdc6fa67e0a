import type Router from '@koa/router';
import type { Context } from 'koa';
import { connectorReads, read, relayReads } from '../data.js';
import type { ConsoleDeps } from '../deps.js';
import { dashboardLive, hourly, lastHour, type ConnectorView, type RelayView } from '../pages/dashboard.js';
import { render } from './common.js';

async function views(deps: ConsoleDeps): Promise<{ connectors: ConnectorView[]; relays: RelayView[]; now: number }> {
  const now = deps.clock.now();
  const dayAgo = new Date(now - 86_400_000).toISOString();
  const connectors = await Promise.all(
    deps.connectors.map(async (client) => {
      const reads = connectorReads(client);
      // Exact counts from the connector's journal: one GROUP BY over the day in 5-minute buckets,
      // whose last 12 are the hour and whose twelves are the day's hours.
      const [totals, ready, api, activity] = await Promise.all([
        read(() => reads.messages({ limit: 1 })),
        read(() => reads.ready()),
        read(() => reads.apiState()),
        read(() => reads.activity(dayAgo, 300)),
      ]);
      const windows = activity.ok ? { hour: { ok: true as const, value: lastHour(activity.value) }, day: { ok: true as const, value: hourly(activity.value) } } : { hour: activity, day: activity };
      return { name: client.name, totals, ready, api, ...windows };
    }),
  );
  const relays = await Promise.all(
    deps.relays.map(async (client) => {
      const reads = relayReads(client);
      // Exact, like the connector's: the day in 5-minute buckets, the hour its last 12.
      const [subscribers, activity] = await Promise.all([read(() => reads.subscribers()), read(() => reads.activity(dayAgo, 300))]);
      const total = (from: number) => (activity.ok ? { ok: true as const, value: activity.value.rows.filter((row) => row.bucket >= from).reduce((sum, row) => sum + row.count, 0) } : activity);
      return { name: client.name, subscribers, eventsHour: total(24 * 12 - 12), eventsDay: total(0) };
    }),
  );
  return { connectors, relays, now };
}

export function addDashboardRoutes(router: Router, deps: ConsoleDeps): void {
  router.get('/', async (ctx: Context) => {
    const v = await views(deps);
    render(ctx, { title: 'Dashboard', current: 'dashboard', body: dashboardLive(v.connectors, v.relays, v.now, deps.config.pollInterval) });
  });
  // Polled by htmx; answers only the live part and does not keep the session alive.
  router.get('/live/dashboard', async (ctx: Context) => {
    const v = await views(deps);
    ctx.type = 'html';
    ctx.body = dashboardLive(v.connectors, v.relays, v.now, deps.config.pollInterval).text;
  });
}
