import type { MessageSummary } from '../../connector/admin.js';
import { itemStatuses } from '../../core/journal/types.js';
import { queryString } from '../admin-client.js';
import type { MessageFilter, Reading } from '../data.js';
import { html, type Html } from '../html.js';
import { statusBadge, unreachable, when } from './format.js';

export interface MessagesView {
  connectors: readonly string[];
  connector: string;
  filter: MessageFilter;
  page: Reading<MessageSummary[]>;
  canAct: boolean;
}

/** The filter as URL parameters: the page's URL is the filter, so it can be shared. */
export function filterQuery(connector: string, filter: MessageFilter, extra: Record<string, string | number | undefined> = {}): string {
  const { before: _before, limit: _limit, ...rest } = filter;
  return queryString({ connector, ...rest, ...extra });
}

const textFields = [
  ['type', 'Type^trigger', 'ADT^A03'],
  ['controlId', 'Control id (MSH-10)', ''],
  ['facility', 'Sending facility (MSH-4)', ''],
  ['mapping', 'Mapping', ''],
  ['referralId', 'Referral id', 'ref_…'],
  ['since', 'Received from (UTC)', '2026-12-01T08:00'],
  ['until', 'Received before (UTC)', '2026-12-02T08:00'],
] as const;

function filterForm(view: MessagesView): Html {
  const f = view.filter;
  return html`<form class="filters" method="get" action="/messages" role="search" aria-label="Filter messages">
${view.connectors.length > 1
  ? html`<p><label for="f-connector">Connector</label><select id="f-connector" name="connector">${view.connectors.map((name) => html`<option${name === view.connector ? html` selected` : ''}>${name}</option>`)}</select></p>`
  : html`<input type="hidden" name="connector" value="${view.connector}">`}
<p><label for="f-status">Status</label><select id="f-status" name="status"><option value="">any</option>${itemStatuses.map((status) => html`<option${status === f.status ? html` selected` : ''}>${status}</option>`)}</select></p>
${textFields.map(([name, label, placeholder]) => html`<p><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" value="${f[name] ?? ''}"${placeholder === '' ? '' : html` placeholder="${placeholder}"`}></p>`)}
<p class="buttons"><button type="submit">Filter</button> <a href="/messages?connector=${view.connector}">Clear</a></p>
</form>`;
}

/** What the replay actions accept: a referral that is no longer queued. */
export const replayable = (message: Pick<MessageSummary, 'action' | 'status'>) => message.action === 'refer' && ['dead', 'delivered', 'cancelled'].includes(message.status);

function row(connector: string, message: MessageSummary, canAct: boolean): Html {
  return html`<tr>
${canAct ? html`<td>${replayable(message) ? html`<input type="checkbox" name="id" value="${message.id}" form="selection" aria-label="Select message ${message.id}">` : ''}</td>` : ''}
<td><a href="/messages/${connector}/${message.id}">${message.id}</a></td>
<td>${when(message.receivedAt)}</td>
<td>${message.type}</td>
<td>${message.controlId}</td>
<td>${message.facility}</td>
<td>${message.mapping ?? ''}</td>
<td>${statusBadge(message.status)}</td>
<td>${message.action ?? ''}</td>
<td>${message.attempts}</td>
<td>${message.referralId ?? ''}</td>
<td class="error-text">${message.lastError ?? ''}</td>
</tr>`;
}

export function messagesBody(view: MessagesView): Html {
  const messages = view.page.ok ? view.page.value : [];
  const limit = view.filter.limit ?? 50;
  const last = messages.at(-1);
  return html`${filterForm(view)}
${view.canAct && (view.filter.status === 'dead' || view.filter.status === undefined)
  ? html`<p><a class="action" href="/actions/replay-dead${filterQuery(view.connector, view.filter)}">Replay every dead letter matching this filter…</a></p>`
  : ''}
${!view.page.ok
  ? unreachable(`Connector ${view.connector}`, view.page.error)
  : html`${view.canAct
    ? html`<form id="selection" class="selection" method="get" action="/actions/replay-selected"><input type="hidden" name="connector" value="${view.connector}"><button type="submit">Replay selected…</button></form>`
    : ''}
<table class="messages">
<caption>Messages on ${view.connector}${view.filter.before === undefined ? ', newest first' : `, older than #${view.filter.before}`}</caption>
<thead><tr>${view.canAct ? html`<th scope="col"><span class="sr-only">Select</span></th>` : ''}<th scope="col">Id</th><th scope="col">Received</th><th scope="col">Type</th><th scope="col">Control id</th><th scope="col">Facility</th><th scope="col">Mapping</th><th scope="col">Status</th><th scope="col">Action / ACK</th><th scope="col">Attempts</th><th scope="col">Referral id</th><th scope="col">Last error</th></tr></thead>
<tbody>${messages.length === 0 ? html`<tr><td colspan="12">No messages match.</td></tr>` : messages.map((message) => row(view.connector, message, view.canAct))}</tbody>
</table>
<nav class="paging" aria-label="Pages">
${view.filter.before === undefined ? '' : html`<a href="/messages${filterQuery(view.connector, view.filter)}">Newest</a>`}
${last !== undefined && messages.length >= limit ? html`<a rel="next" href="/messages${filterQuery(view.connector, view.filter, { before: last.id })}">Older</a>` : ''}
</nav>`}`;
}
