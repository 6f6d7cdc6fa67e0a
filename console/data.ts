import type { Activity, ApiState, MessageDetail, MessageSummary } from '../connector/admin.js';
import type { PlaygroundKind, PlaygroundRun } from '../connector/playground.js';
import type { ItemStatus } from '../core/journal/types.js';
import type { DeliverySummary, EventActivity, EventSummary, SubscriberStatus } from '../relay/admin.js';
import { AdminUnavailableError, type AdminClient } from './admin-client.js';

/**
 * What the pages show, read from the admin APIs. Each reader answers for one
 * connector or relay and never throws for an unreachable one: the page says
 * which one is down and shows the rest.
 */
export type Reading<T> = { ok: true; value: T } | { ok: false; error: string };

export async function read<T>(work: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof AdminUnavailableError || (error as { code?: string }).code === 'ADMIN_REFUSED' || (error as { code?: string }).code === 'ADMIN_ANSWER') return { ok: false, error: (error as Error).message };
    throw error;
  }
}

function expectOk<T>(client: AdminClient, answer: { status: number; body: unknown }): T {
  if (answer.status >= 200 && answer.status < 300) return (answer.body as { data: T }).data;
  const message = (answer.body as { error?: { message?: string } }).error?.message ?? `status ${answer.status}`;
  throw Object.assign(new Error(`${client.name}: ${message}`), { code: 'ADMIN_ANSWER', status: answer.status });
}

export interface MessageFilter {
  status?: ItemStatus | undefined;
  since?: string | undefined;
  until?: string | undefined;
  type?: string | undefined;
  controlId?: string | undefined;
  facility?: string | undefined;
  mapping?: string | undefined;
  referralId?: string | undefined;
  before?: number | undefined;
  limit?: number | undefined;
}

export interface MessagePage {
  data: MessageSummary[];
  counts: Record<ItemStatus, number>;
  oldestQueuedAt: string | null;
}

export const connectorReads = (client: AdminClient) => ({
  async messages(filter: MessageFilter): Promise<MessagePage> {
    const answer = await client.get<MessagePage & { data: MessageSummary[] }>('/admin/messages', { ...filter });
    if (answer.status !== 200) expectOk(client, answer);
    return answer.body;
  },
  async message(id: number): Promise<MessageDetail | undefined> {
    const answer = await client.get<{ data: MessageDetail }>(`/admin/messages/${id}`);
    return answer.status === 404 ? undefined : expectOk<MessageDetail>(client, answer);
  },
  /** Exact counts since a time, per bucket, status, door, mapping and action (GET /admin/activity). */
  async activity(since: string, bucketSeconds: number): Promise<Activity> {
    return expectOk<Activity>(client, await client.get('/admin/activity', { since, bucketSeconds }));
  },
  /** The connector's own readiness: its journal and whether the Discharge API answers. */
  async ready(): Promise<{ ready: boolean; problems: string[] }> {
    const answer = await client.get<{ problems?: string[] }>('/readyz');
    return { ready: answer.status === 200, problems: answer.body.problems ?? [] };
  },
  async replay(id: number) {
    return client.post<unknown>(`/admin/messages/${id}/replay`);
  },
  /** The Discharge API as the connector last saw it; older connectors without the endpoint read as unknown. */
  async apiState(): Promise<ApiState | undefined> {
    const answer = await client.get<{ data: ApiState }>('/admin/api');
    return answer.status === 404 ? undefined : expectOk<ApiState>(client, answer);
  },
  /** The mapping playground: the connector's dry run of one message; nothing is stored. */
  async dryRun(kind: PlaygroundKind | undefined, text: string): Promise<PlaygroundRun> {
    const type = kind === 'fhir' ? 'application/fhir+json' : 'text/plain; charset=utf-8';
    return expectOk<PlaygroundRun>(client, await client.post('/admin/dry-run', { kind }, { type, data: Buffer.from(text, 'utf8') }));
  },
  async cancel(id: number) {
    return client.post<unknown>(`/admin/messages/${id}/cancel`);
  },
});

export const relayReads = (client: AdminClient) => ({
  subscribers: async () => expectOk<SubscriberStatus[]>(client, await client.get('/admin/subscribers')),
  /** Exact counts of the events received since a time, per bucket and type (GET /admin/activity). */
  activity: async (since: string, bucketSeconds: number) => expectOk<EventActivity>(client, await client.get('/admin/activity', { since, bucketSeconds })),
  events: async (query: { since?: string; type?: string; referralId?: string; limit?: number } = {}) => expectOk<EventSummary[]>(client, await client.get('/admin/events', query)),
  event: async (eventId: string) => {
    const answer = await client.get<unknown>(`/admin/events/${encodeURIComponent(eventId)}`);
    return answer.status === 404 ? undefined : expectOk<EventSummary & { deliveries: DeliverySummary[]; event: unknown }>(client, answer);
  },
  deliveries: async (query: { status?: string; subscriber?: string; limit?: number } = {}) => expectOk<DeliverySummary[]>(client, await client.get('/admin/deliveries', query)),
  replayEvent: (eventId: string) => client.post<unknown>(`/admin/events/${encodeURIComponent(eventId)}/replay`),
  replayDelivery: (id: number) => client.post<unknown>(`/admin/deliveries/${id}/replay`),
  pause: (name: string) => client.post<unknown>(`/admin/subscribers/${encodeURIComponent(name)}/pause`),
  resume: (name: string) => client.post<unknown>(`/admin/subscribers/${encodeURIComponent(name)}/resume`),
});
