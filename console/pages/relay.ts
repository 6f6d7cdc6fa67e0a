import type { DeliverySummary, EventSummary, SubscriberStatus } from '../../relay/admin.js';
import type { Reading } from '../data.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageUser } from './layout.js';
import { statusBadge, unreachable, when } from './format.js';

export interface RelayPageView {
  relay: string;
  relays: readonly string[];
  subscribers: Reading<SubscriberStatus[]>;
  events: Reading<EventSummary[]>;
  dead: Reading<DeliverySummary[]>;
  user: PageUser;
  canAct: boolean;
}

const post = (view: RelayPageView, action: string, label: string, name: string): Html =>
  html`<form class="inline" method="post" action="/relay/${view.relay}/${action}">${csrfField(view.user)}<input type="hidden" name="target" value="${name}"><button type="submit" aria-label="${label} ${name}">${label}</button></form>`;

function subscribers(view: RelayPageView): Html {
  if (!view.subscribers.ok) return unreachable(`Relay ${view.relay}`, view.subscribers.error);
  return html`<table><caption>Subscribers</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Backlog</th><th scope="col">Dead</th><th scope="col">Delivered</th><th scope="col">Last error</th>${view.canAct ? html`<th scope="col">Act</th>` : ''}</tr></thead>
<tbody>${view.subscribers.value.map(
    (s) => html`<tr><th scope="row">${s.name}</th><td>${s.kind}</td><td>${statusBadge(s.state)}${s.pausedReason === null ? '' : ` (${s.pausedReason})`}</td><td>${s.backlog}</td><td>${s.dead}</td><td>${s.delivered}</td><td class="error-text">${s.lastError ?? ''}</td>${view.canAct && s.kind !== 'unconfigured' ? html`<td>${s.state === 'paused' ? post(view, 'resume', 'Resume', s.name) : post(view, 'pause', 'Pause', s.name)}</td>` : view.canAct ? html`<td></td>` : ''}</tr>`,
  )}</tbody></table>`;
}

function events(view: RelayPageView): Html {
  if (!view.events.ok) return unreachable(`Relay ${view.relay} events`, view.events.error);
  return html`<table><caption>Latest events</caption>
<thead><tr><th scope="col">Event id</th><th scope="col">Type</th><th scope="col">Referral</th><th scope="col">Received</th><th scope="col">Subscribers</th>${view.canAct ? html`<th scope="col">Act</th>` : ''}</tr></thead>
<tbody>${view.events.value.length === 0 ? html`<tr><td colspan="6">No events yet.</td></tr>` : view.events.value.map(
    (e) => html`<tr><td><code>${e.eventId}</code></td><td>${e.type}</td><td>${e.referralId ?? ''}</td><td>${when(e.receivedAt)}</td><td>${e.subscribers.join(', ')}</td>${view.canAct ? html`<td>${post(view, 'replay-event', 'Replay', e.eventId)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

function dead(view: RelayPageView): Html {
  if (!view.dead.ok) return unreachable(`Relay ${view.relay} deliveries`, view.dead.error);
  return html`<table><caption>Dead deliveries</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Subscriber</th><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Updated</th>${view.canAct ? html`<th scope="col">Act</th>` : ''}</tr></thead>
<tbody>${view.dead.value.length === 0 ? html`<tr><td colspan="8">No dead deliveries.</td></tr>` : view.dead.value.map(
    (d) => html`<tr><td>${d.id}</td><td>${d.subscriber}</td><td><code>${d.eventId}</code></td><td>${d.type}</td><td>${d.attempts}</td><td class="error-text">${d.lastError ?? ''}</td><td>${when(d.updatedAt)}</td>${view.canAct ? html`<td>${post(view, 'replay-delivery', 'Replay', String(d.id))}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

export function relayBody(view: RelayPageView): Html {
  return html`${view.relays.length > 1 ? html`<nav aria-label="Relays"><ul class="tabs">${view.relays.map((name) => html`<li><a href="/relay?relay=${name}"${name === view.relay ? html` aria-current="page"` : ''}>${name}</a></li>`)}</ul></nav>` : ''}
<section aria-labelledby="subs"><h2 id="subs">Subscribers of ${view.relay}</h2>${subscribers(view)}</section>
<section aria-labelledby="evts"><h2 id="evts">Events</h2>${events(view)}</section>
<section aria-labelledby="dead"><h2 id="dead">Dead deliveries</h2>${dead(view)}</section>`;
}
