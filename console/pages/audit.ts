import type { AuditEntry } from '../audit.js';
import { html, type Html } from '../html.js';
import { when } from './format.js';

export function auditBody(entries: readonly AuditEntry[], filter: { user?: string | undefined; action?: string | undefined }, source: string): Html {
  return html`<p>${source}</p>
<form class="filters" method="get" action="/audit" role="search" aria-label="Filter the audit trail">
<p><label for="a-user">User</label><input id="a-user" name="user" value="${filter.user ?? ''}"></p>
<p><label for="a-action">Action</label><input id="a-action" name="action" value="${filter.action ?? ''}" placeholder="replay"></p>
<p class="buttons"><button type="submit">Filter</button> <a href="/audit">Clear</a></p>
</form>
<table><caption>Audit trail, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">User</th><th scope="col">Role</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
<tbody>${entries.length === 0 ? html`<tr><td colspan="7">No entries.</td></tr>` : entries.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.user}</td><td>${e.role}</td><td>${e.action}</td><td>${e.target}</td><td>${e.outcome}</td><td>${e.detail ?? ''}</td></tr>`)}</tbody>
</table>`;
}
