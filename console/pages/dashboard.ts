import type { ApiState, MessageSummary } from '../../connector/admin.js';
import type { SubscriberStatus } from '../../relay/admin.js';
import type { MessagePage, Reading } from '../data.js';
import { html, type Html } from '../html.js';
import { buckets, rateChart } from './chart.js';
import { age, capped, statusBadge, unreachable, when } from './format.js';

export interface ConnectorView {
  name: string;
  ready: Reading<{ ready: boolean; problems: string[] }>;
  /** Undefined from a connector without `GET /admin/api`. */
  api: Reading<ApiState | undefined>;
  totals: Reading<MessagePage>;
  hour: Reading<MessageSummary[]>;
  day: Reading<MessageSummary[]>;
}

export interface RelayView {
  name: string;
  subscribers: Reading<SubscriberStatus[]>;
  eventsHour: Reading<number>;
  eventsDay: Reading<number>;
}

/** How many messages a window's sample may hold; counts past it show as `1000+`. */
export const windowCap = 1_000;

const columns = ['received', 'ignored', 'queued', 'delivered', 'AE', 'AR', 'dead'] as const;
type Row = Record<(typeof columns)[number], number>;

const doorNames: Record<string, string> = { mllp: 'MLLP', http: 'HTTP', fhir: 'FHIR' };

/** Counts over one window's sample of message summaries, by mapping (default) or by door. */
export function tally(messages: readonly MessageSummary[], by: 'mapping' | 'door' = 'mapping'): Map<string, Row> {
  const rows = new Map<string, Row>();
  if (by === 'door') for (const door of ['MLLP', 'HTTP', 'FHIR']) rows.set(door, { received: 0, ignored: 0, queued: 0, delivered: 0, AE: 0, AR: 0, dead: 0 });
  for (const message of messages) {
    const key = by === 'door' ? (message.door === null ? '(content pruned)' : (doorNames[message.door] ?? message.door)) : (message.mapping ?? '(no mapping)');
    const row = rows.get(key) ?? { received: 0, ignored: 0, queued: 0, delivered: 0, AE: 0, AR: 0, dead: 0 };
    row.received += 1;
    if (message.status === 'filtered') row.ignored += 1;
    if (message.status === 'queued') row.queued += 1;
    if (message.status === 'delivered') row.delivered += 1;
    if (message.status === 'dead') row.dead += 1;
    if (message.action === 'AE') row.AE += 1;
    if (message.action === 'AR') row.AR += 1;
    rows.set(key, row);
  }
  return rows;
}

function windowTable(connector: string, label: string, reading: Reading<MessageSummary[]>): Html {
  if (!reading.ok) return unreachable(`${connector} (${label})`, reading.error);
  const full = reading.value.length >= windowCap;
  const group = (title: string, by: 'mapping' | 'door') => {
    const rows = [...tally(reading.value, by)].sort(([a], [b]) => (by === 'door' ? 0 : a.localeCompare(b)));
    return html`<tbody data-by="${by}"><tr><th scope="colgroup" colspan="${columns.length + 1}" class="group">${title}</th></tr>
${rows.length === 0 ? html`<tr><td colspan="${columns.length + 1}">None.</td></tr>` : rows.map(([key, row]) => html`<tr><th scope="row">${key}</th>${columns.map((column) => html`<td data-col="${column}">${full ? capped(row[column], windowCap) : row[column]}</td>`)}</tr>`)}</tbody>`;
  };
  return html`<table class="window" data-window="${label}">
<caption>${connector}: messages received in the last ${label}${full ? ` (the newest ${windowCap} only)` : ''}</caption>
<thead><tr><th scope="col">Door / mapping</th>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
${group('By door', 'door')}
${group('By mapping', 'mapping')}
</table>`;
}

const failed = (message: MessageSummary) => message.status === 'dead' || message.action === 'AE' || message.action === 'AR';

function charts(view: ConnectorView, now: number): Html {
  const hour = view.hour.ok ? view.hour.value.map((m) => ({ receivedAt: m.receivedAt, failed: failed(m) })) : [];
  const day = view.day.ok ? view.day.value.map((m) => ({ receivedAt: m.receivedAt, failed: failed(m) })) : [];
  return html`<div class="charts">${rateChart('Last hour, per 5 min', buckets(hour, now, 12, 300_000))}${rateChart('Last day, per hour', buckets(day, now, 24, 3_600_000))}</div>`;
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
${charts(view, now)}
${windowTable(view.name, 'hour', view.hour)}
${windowTable(view.name, 'day', view.day)}
</section>`;
}

function relaySection(view: RelayView): Html {
  return html`<section aria-labelledby="r-${view.name}">
<h2 id="r-${view.name}">Relay ${view.name}</h2>
${view.eventsHour.ok && view.eventsDay.ok
  ? html`<dl class="facts"><div><dt>Events in, last hour</dt><dd data-count="events-hour">${capped(view.eventsHour.value, windowCap)}</dd></div><div><dt>Events in, last day</dt><dd data-count="events-day">${capped(view.eventsDay.value, windowCap)}</dd></div>${view.subscribers.ok ? html`<div><dt>Dead deliveries</dt><dd data-count="relay-dead">${view.subscribers.value.reduce((sum, s) => sum + s.dead, 0)}</dd></div>` : ''}</dl>`
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
