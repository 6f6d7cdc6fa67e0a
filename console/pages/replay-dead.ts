import type { MessageFilter } from '../data.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageUser } from './layout.js';

/** The confirm step of "replay every dead letter matching a filter": it names the count before anything is sent. */
export function replayDeadBody(options: { connector: string; filter: MessageFilter; ids: readonly number[]; capped: boolean; user: PageUser }): Html {
  const f = options.filter;
  const described = Object.entries({ type: f.type, 'control id': f.controlId, facility: f.facility, mapping: f.mapping, referral: f.referralId, from: f.since, before: f.until }).filter(([, value]) => value !== undefined).map(([name, value]) => `${name} ${value}`);
  if (options.ids.length === 0) return html`<p>No dead letters on ${options.connector} match this filter.</p><p><a href="/messages?connector=${options.connector}&amp;status=dead">Back</a></p>`;
  return html`<form method="post" action="/actions/replay-dead">
${csrfField(options.user)}
<input type="hidden" name="connector" value="${options.connector}">
${Object.entries(f).filter(([name, value]) => value !== undefined && name !== 'status' && name !== 'before' && name !== 'limit').map(([name, value]) => html`<input type="hidden" name="${name}" value="${String(value)}">`)}
<p id="confirm-text">Replay <strong data-count="replay">${options.ids.length}${options.capped ? '+' : ''}</strong> dead letter(s) on ${options.connector}${described.length === 0 ? '' : ` matching ${described.join(', ')}`}? Each is sent again with its original Idempotency-Key.</p>
<p><button type="submit" aria-describedby="confirm-text">Replay ${options.ids.length}${options.capped ? '+' : ''} message(s)</button> <a href="/messages?connector=${options.connector}&amp;status=dead">Cancel</a></p>
</form>`;
}

/** The confirm step of "replay selected": the count and the ids, before anything is sent. */
export function replaySelectedBody(options: { connector: string; ids: readonly number[]; user: PageUser }): Html {
  if (options.ids.length === 0) return html`<p>No message was selected. Tick the messages to replay in the list first.</p><p><a href="/messages?connector=${options.connector}">Back</a></p>`;
  return html`<form method="post" action="/actions/replay-selected">
${csrfField(options.user)}
<input type="hidden" name="connector" value="${options.connector}">
${options.ids.map((id) => html`<input type="hidden" name="id" value="${id}">`)}
<p id="confirm-text">Replay <strong data-count="replay">${options.ids.length}</strong> selected message(s) on ${options.connector} (${options.ids.map((id) => `#${id}`).join(', ')})? Each is sent again with its original Idempotency-Key.</p>
<p><button type="submit" aria-describedby="confirm-text">Replay ${options.ids.length} message(s)</button> <a href="/messages?connector=${options.connector}">Cancel</a></p>
</form>`;
}
