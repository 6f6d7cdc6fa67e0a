import type { Activity, ActivityRow, ApiState } from '../../connector/admin.js';
import type { SubscriberStatus } from '../../relay/admin.js';
import type { MessagePage, Reading } from '../data.js';
import { html, type Html } from '../html.js';
import { rateChart, type Bucket } from './chart.js';
import { age, statusBadge, unreachable, when } from './format.js';

export interface ConnectorView {
  name: string;
  ready: Reading<{ ready: boolean; problems: string[] }>;
  /** Undefined from a connector without `GET /admin/api`. */
  api: Reading<ApiState | undefined>;
  totals: Reading<MessagePage>;
  /** Exact counts for the last hour (5-minute buckets) and day (hourly buckets). */
  hour: Reading<Activity>;
  day: Reading<Activity>;
}

export interface RelayView {
  name: string;
  subscribers: Reading<SubscriberStatus[]>;
  eventsHour: Reading<number>;
  eventsDay: Reading<number>;
}


const columns = ['received', 'ignored', 'queued', 'delivered', 'AE', 'AR', 'dead'] as const;
type Row = Record<(typeof columns)[number], number>;

const doorNames: Record<string, string> = { mllp: 'MLLP', http: 'HTTP', fhir: 'FHIR' };

/** Counts of one window, by mapping (default) or by door. */
export function tally(rows: readonly ActivityRow[], by: 'mapping' | 'door' = 'mapping'): Map<string, Row> {
  const out = new Map<string, Row>();
  if (by === 'door') for (const door of ['MLLP', 'HTTP', 'FHIR']) out.set(door, { received: 0, ignored: 0, queued: 0, delivered: 0, AE: 0, AR: 0, dead: 0 });
  for (const entry of rows) {
    const key = by === 'door' ? (entry.door === null ? '(not recorded)' : (doorNames[entry.door] ?? entry.door)) : (entry.mapping ?? '(no mapping)');
    const row = out.get(key) ?? { received: 0, ignored: 0, queued: 0, delivered: 0, AE: 0, AR: 0, dead: 0 };
    row.received += entry.count;
    if (entry.status === 'filtered') row.ignored += entry.count;
    if (entry.status === 'queued') row.queued += entry.count;
    if (entry.status === 'delivered') row.delivered += entry.count;
    if (entry.status === 'dead') row.dead += entry.count;
    if (entry.action === 'AE') row.AE += entry.count;
    if (entry.action === 'AR') row.AR += entry.count;
    out.set(key, row);
  }
  return out;
}

function windowTable(connector: string, label: string, reading: Reading<Activity>): Html {
  if (!reading.ok) return unreachable(`${connector} (${label})`, reading.error);
  const group = (title: string, by: 'mapping' | 'door') => {
    const rows = [...tally(reading.value.rows, by)].sort(([a], [b]) => (by === 'door' ? 0 : a.localeCompare(b)));
    return html`<tbody data-by="${by}"><tr><th scope="colgroup" colspan="${columns.length + 1}" class="group">${title}</th></tr>
${rows.length === 0 ? html`<tr><td colspan="${columns.length + 1}">None.</td></tr>` : rows.map(([key, row]) => html`<tr><th scope="row">${key}</th>${columns.map((column) => html`<td data-col="${column}">${row[column]}</td>`)}</tr>`)}</tbody>`;
  };
  return html`<table class="window" data-window="${label}">
<caption>${connector}: messages received in the last ${label}</caption>
<thead><tr><th scope="col">Door / mapping</th>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
${group('By door', 'door')}
${group('By mapping', 'mapping')}
</table>`;
}

const failed = (row: ActivityRow) => row.status === 'dead' || row.action === 'AE' || row.action === 'AR';

/** The last hour of a day counted in 5-minute buckets (its last 12). */
export function lastHour(day: Activity): Activity {
  const first = 24 * 12 - 12;
  return { since: new Date(Date.parse(day.since) + first * day.bucketMs).toISOString(), bucketMs: day.bucketMs, rows: day.rows.filter((row) => row.bucket >= first).map((row) => ({ ...row, bucket: row.bucket - first })) };
}

/** A day counted in 5-minute buckets, as hours. */
export function hourly(day: Activity): Activity {
  return { since: day.since, bucketMs: day.bucketMs * 12, rows: day.rows.map((row) => ({ ...row, bucket: Math.floor(row.bucket / 12) })) };
}

/** `count` buckets of the activity's width from its start; a message received this very millisecond joins the last. */
export function activityBuckets(activity: Activity, count: number): Bucket[] {
  const start = Date.parse(activity.since);
  const out: Bucket[] = Array.from({ length: count }, (_, index) => ({ start: start + index * activity.bucketMs, total: 0, failed: 0 }));
  for (const row of activity.rows) {
    const bucket = out[Math.min(count - 1, Math.max(0, row.bucket))]!;
    bucket.total += row.count;
    if (failed(row)) bucket.failed += row.count;
  }
  return out;
}

function charts(view: ConnectorView): Html {
  const empty = (count: number) => Array.from({ length: count }, () => ({ start: 0, total: 0, failed: 0 }));
  const hour = view.hour.ok ? activityBuckets(view.hour.value, 12) : empty(12);
  const day = view.day.ok ? activityBuckets(view.day.value, 24) : empty(24);
  return html`<div class="charts">${rateChart('Last hour, per 5 min', hour)}${rateChart('Last day, per hour', day)}</div>`;
}

function apiFacts(view: ConnectorView, now: number): Html {
  const probe = view.ready.ok ? (view.ready.value.problems.find((problem) => problem.startsWith('api:')) === undefined ? 'reachable' : 'not reachable') : 'unknown';
  const state = view.api.ok ? view.api.value : undefined;
  const last = state?.lastAnswer;
  const rate = state?.rate ?? [];
  return html`<div><dt>Discharge API</dt><dd data-api="state" class="${probe === 'reachable' ? 's-healthy' : 's-dead'}">${probe}</dd></div>
<div><dt>Last answer</dt><dd data-api="last">${last === null || last === undefined ? 'none yet' : html`${last.status === null ? 'no answer' : `HTTP ${last.status}`} (${last.outcome}, ${age(now - Date.parse(last.at))} ago)`}</dd></div>
<div><dt>Rate limit remaining</dt><dd data-api="rate">${rate.length === 0 ? 'not reported' : rate.map((window, index) => html`${index > 0 ? ', ' : ''}${window.remaining} / ${window.window}`)}</dd></div>`;
}

function connectorSection(view: ConnectorView, now: number): Html {
  const totals = view.totals.ok ? view.totals.value : undefined;
  return html`<section aria-labelledby="c-${view.name}">
<h2 id="c-${view.name}">Connector ${view.name}</h2>
${view.totals.ok ? '' : unreachable(`Connector ${view.name}`, view.totals.error)}
${totals === undefined
  ? ''
  : html`<dl class="facts">
<div><dt>Queued</dt><dd data-count="queued">${totals.counts.queued}</dd></div>
<div><dt>Delivered</dt><dd data-count="delivered">${totals.counts.delivered}</dd></div>
<div><dt>Dead letters</dt><dd data-count="dead">${totals.counts.dead > 0 ? html`<a href="/messages?status=dead">${totals.counts.dead}</a>` : '0'}</dd></div>
<div><dt>Ignored</dt><dd>${totals.counts.filtered}</dd></div>
<div><dt>Rejected (AE/AR)</dt><dd>${totals.counts.rejected}</dd></div>
<div><dt>Oldest queued</dt><dd>${totals.oldestQueuedAt === null ? 'none' : html`${age(now - Date.parse(totals.oldestQueuedAt))} old`}</dd></div>
${apiFacts(view, now)}
</dl>`}
${charts(view)}
${windowTable(view.name, 'hour', view.hour)}
${windowTable(view.name, 'day', view.day)}
</section>`;
}

function relaySection(view: RelayView): Html {
  return html`<section aria-labelledby="r-${view.name}">
<h2 id="r-${view.name}">Relay ${view.name}</h2>
${view.eventsHour.ok && view.eventsDay.ok
  ? html`<dl class="facts"><div><dt>Events in, last hour</dt><dd data-count="events-hour">${view.eventsHour.value}</dd></div><div><dt>Events in, last day</dt><dd data-count="events-day">${view.eventsDay.value}</dd></div>${view.subscribers.ok ? html`<div><dt>Dead deliveries</dt><dd data-count="relay-dead">${view.subscribers.value.reduce((sum, s) => sum + s.dead, 0)}</dd></div>` : ''}</dl>`
  : unreachable(`Relay ${view.name}`, view.eventsHour.ok ? (view.eventsDay as { error: string }).error : view.eventsHour.error)}
${!view.subscribers.ok
  ? unreachable(`Relay ${view.name} subscribers`, view.subscribers.error)
  : html`<table>
<caption>${view.name}: subscribers</caption>
<thead><tr><th scope="col">Subscriber</th><th scope="col">State</th><th scope="col">Backlog</th><th scope="col">Dead</th><th scope="col">Delivered</th><th scope="col">Oldest waiting</th><th scope="col">Last error</th></tr></thead>
<tbody>${view.subscribers.value.map((s) => html`<tr><th scope="row">${s.name}</th><td>${statusBadge(s.state)}</td><td>${s.backlog}</td><td>${s.dead}</td><td>${s.delivered}</td><td>${when(s.oldestQueuedAt)}</td><td>${s.lastError ?? ''}</td></tr>`)}</tbody>
</table>`}
</section>`;
}

/** The part of the dashboard that polls itself: htmx swaps it for a fresh copy every `pollMs`. */
export function dashboardLive(connectors: readonly ConnectorView[], relays: readonly RelayView[], now: number, pollMs: number): Html {
  return html`<div id="live" hx-get="/live/dashboard" hx-trigger="every ${Math.max(1, Math.round(pollMs / 1000))}s" hx-swap="outerHTML">
<p class="updated">Updated ${when(new Date(now).toISOString())}</p>
${connectors.length === 0 ? html`<p>No connector configured (console.connectors).</p>` : connectors.map((view) => connectorSection(view, now))}
${relays.map(relaySection)}
</div>`;
}
