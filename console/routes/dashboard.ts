import type Router from '@koa/router';
import type { Context } from 'koa';
import { connectorReads, read, relayReads } from '../data.js';
import type { ConsoleDeps } from '../deps.js';
import { dashboardLive, windowCap, type ConnectorView, type RelayView } from '../pages/dashboard.js';
import { render } from './common.js';

async function views(deps: ConsoleDeps): Promise<{ connectors: ConnectorView[]; relays: RelayView[]; now: number }> {
  const now = deps.clock.now();
  const hourAgo = new Date(now - 3_600_000).toISOString();
  const dayAgo = new Date(now - 86_400_000).toISOString();
  const connectors = await Promise.all(
    deps.connectors.map(async (client) => {
      const reads = connectorReads(client);
      // Exact counts from the connector's journal (one GROUP BY each): the hour in 5-minute buckets, the day in hours.
      const [totals, ready, api, hour, day] = await Promise.all([
        read(() => reads.messages({ limit: 1 })),
        read(() => reads.ready()),
        read(() => reads.apiState()),
        read(() => reads.activity(hourAgo, 300)),
        read(() => reads.activity(dayAgo, 3_600)),
      ]);
      return { name: client.name, totals, ready, api, hour, day };
    }),
  );
  const relays = await Promise.all(
    deps.relays.map(async (client) => {
      const reads = relayReads(client);
      const [subscribers, eventsHour, eventsDay] = await Promise.all([
        read(() => reads.subscribers()),
        read(async () => (await reads.events({ since: hourAgo, limit: windowCap })).length),
        read(async () => (await reads.events({ since: dayAgo, limit: windowCap })).length),
      ]);
      return { name: client.name, subscribers, eventsHour, eventsDay };
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
