import { html, type Html } from '../html.js';

/** `2026-12-02 09:15:03Z`: sortable, unambiguous, short enough for a table cell. */
export function when(iso: string | null | undefined): Html {
  if (iso === null || iso === undefined) return html`<span class="none">—</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

/** `3 s`, `4 min`, `2 h`, `3 d`. */
export function age(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

export const statusBadge = (status: string): Html => html`<span class="status s-${status}">${status}</span>`;


export const unreachable = (what: string, error: string): Html => html`<p class="notice error" role="alert">${what}: ${error}</p>`;
