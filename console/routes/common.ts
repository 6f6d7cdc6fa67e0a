import type { Context } from 'koa';
import { itemStatuses, type ItemStatus } from '../../core/journal/types.js';
import type { AdminClient } from '../admin-client.js';
import type { MessageFilter } from '../data.js';
import type { ConsoleState } from '../http/auth.js';
import { pageUser } from '../http/auth.js';
import { html } from '../html.js';
import { page, type PageOptions } from '../pages/layout.js';
import type { Session } from '../sessions.js';

export const sessionOf = (ctx: Context): Session => (ctx.state as ConsoleState).session!;
export const formOf = (ctx: Context): URLSearchParams => (ctx.state as ConsoleState).form ?? new URLSearchParams();

export function render(ctx: Context, options: Omit<PageOptions, 'user'>, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = page({ ...options, user: pageUser(sessionOf(ctx)) }).text;
}

export function notFound(ctx: Context, what: string): void {
  render(ctx, { title: 'Not found', body: html`<p>${what} not found.</p>` }, 404);
}

export const pick = (clients: readonly AdminClient[], name: string | undefined): AdminClient | undefined => (name === undefined ? clients[0] : clients.find((client) => client.name === name));

/** `2026-12-01T08:00` (a datetime-local field) is read as UTC, like every time the console shows. */
export function utcTime(value: string | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  const withZone = /(Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The message filter from query or form parameters, or the reason it is unreadable. */
export function readFilter(get: (name: string) => string | undefined): { filter: MessageFilter; problem?: string } {
  const status = get('status');
  const since = utcTime(get('since'));
  const until = utcTime(get('until'));
  const before = get('before') === undefined ? undefined : Number(get('before'));
  const filter: MessageFilter = { type: get('type'), controlId: get('controlId'), facility: get('facility'), mapping: get('mapping'), referralId: get('referralId') };
  if (status !== undefined) {
    if (!itemStatuses.includes(status as ItemStatus)) return { filter, problem: `status must be one of ${itemStatuses.join(', ')}` };
    filter.status = status as ItemStatus;
  }
  if (since === null || until === null) return { filter, problem: 'times must read like 2026-12-01T08:00 (UTC)' };
  filter.since = get('since');
  filter.until = get('until');
  if (before !== undefined) {
    if (!(Number.isSafeInteger(before) && before > 0)) return { filter, problem: 'before must be a message id' };
    filter.before = before;
  }
  return { filter };
}

/** The filter as the admin API reads it (ISO times). */
export function apiFilter(filter: MessageFilter): MessageFilter {
  return { ...filter, since: utcTime(filter.since) ?? undefined, until: utcTime(filter.until) ?? undefined };
}

export const queryGetter = (ctx: Context) => (name: string): string | undefined => {
  const value = ctx.query[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

export const formGetter = (form: URLSearchParams) => (name: string): string | undefined => {
  const value = form.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
};
