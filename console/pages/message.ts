import type { MessageDetail } from '../../connector/admin.js';
import type { EventSummary } from '../../relay/admin.js';
import type { Reading } from '../data.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageUser } from './layout.js';
import { statusBadge, when } from './format.js';
import { hl7View } from './hl7-view.js';

/**
 * One message's timeline. Everything a viewer may see comes from the summary
 * fields; the raw HL7, the mapped request and the API's answers are rendered
 * only when `showContent` is true — for other roles they are not in the HTML.
 */
export interface MessageView {
  connector: string;
  message: MessageDetail;
  user: PageUser;
  canAct: boolean;
  showContent: boolean;
  /** Webhooks the relays received for this message's referral id (empty without a referral or a relay). */
  webhooks?: ReadonlyArray<{ relay: string; events: Reading<EventSummary[]> }> | undefined;
}

function webhooks(view: MessageView): Html {
  const found = view.webhooks ?? [];
  if (view.message.referralId === null || found.length === 0) return html``;
  return html`<li><strong>Webhooks back</strong> for referral <code>${view.message.referralId}</code>:
<ul class="webhooks">${found.map(({ relay, events }) =>
    !events.ok
      ? html`<li>relay ${relay}: <span class="error-text">${events.error}</span></li>`
      : events.value.length === 0
        ? html`<li>relay ${relay}: none yet</li>`
        : events.value.map((e) => html`<li>relay ${relay}: <code>${e.type}</code> ${when(e.receivedAt)}, event <a href="/relay?relay=${relay}">${e.eventId}</a>, to ${e.subscribers.length === 0 ? 'no subscriber' : e.subscribers.join(', ')}</li>`),
  )}</ul></li>`;
}

function timeline(view: MessageView): Html {
  const m = view.message;
  const errors = m.errors ?? [];
  const ackCode = m.action === 'AE' || m.action === 'AR' ? m.action : m.status === 'rejected' ? 'AR' : 'AA';
  return html`<ol class="timeline">
<li><strong>Received</strong> ${when(m.receivedAt)} over ${m.door.toUpperCase()}${m.peer === null || m.peer === undefined ? '' : ` from ${m.peer}`}: ${m.type} control id ${m.controlId}, sending facility ${m.facility}${m.mapping === null ? '' : `, mapping ${m.mapping}`}${m.mappingHash === null || m.mappingHash === undefined ? '' : html` (file version <code>${m.mappingHash}</code>)`}</li>
<li><strong>ACK sent: ${ackCode}</strong>${m.reason === null ? '' : ` — ${m.reason}`}${errors.length === 0
    ? ''
    : html`<ul>${errors.map((error) => html`<li>ERR ${String(error.code)}${error.location === undefined ? '' : ` at ${String(error.location)}`}${view.showContent && error.userMessage !== undefined ? `: ${error.userMessage}` : ''}</li>`)}</ul>`}</li>
${m.attemptLog.map(
  (attempt, index) => html`<li><strong>Attempt ${index + 1}</strong> ${when(new Date(attempt.at).toISOString())}: ${attempt.ok ? 'accepted' : 'failed'}${attempt.status === undefined ? '' : ` (HTTP ${attempt.status})`}${attempt.error === undefined ? '' : html` — <span class="error-text">${attempt.error}</span>`}${attempt.durationMs === undefined ? '' : ` in ${attempt.durationMs} ms`}${view.showContent && attempt.response !== undefined ? html`<pre class="answer">${attempt.response}</pre>` : ''}</li>`,
)}
${m.status === 'queued' && m.nextAttemptAt !== null ? html`<li><strong>Next attempt</strong> ${when(m.nextAttemptAt)}</li>` : ''}
${m.status === 'delivered' ? html`<li><strong>Delivered</strong> ${when(m.updatedAt)}${m.referralId === null ? '' : html`: referral <code>${m.referralId}</code>`}</li>` : ''}
${webhooks(view)}
${m.status === 'dead' ? html`<li><strong>Dead letter</strong> ${when(m.updatedAt)}: <span class="error-text">${m.lastError ?? 'no answer kept'}</span></li>` : ''}
${m.status === 'cancelled' ? html`<li><strong>Cancelled</strong> ${when(m.updatedAt)}${m.lastError === null ? '' : `: ${m.lastError}`}</li>` : ''}
</ol>`;
}

function actions(view: MessageView): Html {
  const m = view.message;
  if (!view.canAct) return html``;
  const replayable = m.action === 'refer' && ['dead', 'delivered', 'cancelled'].includes(m.status);
  const base = `/messages/${view.connector}/${m.id}`;
  return html`<section aria-labelledby="act"><h2 id="act">Actions</h2>
${replayable ? html`<form method="post" action="${base}/replay">${csrfField(view.user)}<button type="submit">Replay this message</button></form>` : ''}
${m.status === 'queued' ? html`<form method="post" action="${base}/cancel">${csrfField(view.user)}<button type="submit">Cancel this queued message</button></form>` : ''}
${!replayable && m.status !== 'queued' ? html`<p>Nothing to do: only referrals that are dead, delivered or cancelled can be replayed, and only queued ones cancelled.</p>` : ''}
</section>`;
}

export function messageBody(view: MessageView): Html {
  const m = view.message;
  return html`<p>${statusBadge(m.status)} ${m.type} · control id <code>${m.controlId}</code> · ${m.attempts} attempt(s)${m.idempotencyKey === null ? '' : html` · Idempotency-Key <code>${m.idempotencyKey}</code>`}</p>
<section aria-labelledby="tl"><h2 id="tl">Timeline</h2>${timeline(view)}</section>
${actions(view)}
${view.showContent
  ? html`<section aria-labelledby="raw"><h2 id="raw">Message as received (${m.encoding})</h2>${hl7View(m.hl7)}</section>
<section aria-labelledby="req"><h2 id="req">Mapped request</h2>${m.request === null ? html`<p>No request: ${m.reason ?? 'not a referral'}.</p>` : html`<pre class="json">${JSON.stringify(m.request, null, 2)}</pre>`}</section>`
  : html`<p class="note">Message content is shown only to users with the phi role.</p>`}
<p><a href="/messages?connector=${view.connector}">Back to messages</a></p>`;
}
