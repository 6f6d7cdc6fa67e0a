import type { Context } from 'koa';

/** A non-empty query-string value, or undefined (repeated or empty parameters count as absent). */
export function queryValue(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Epoch ms of an ISO date-time parameter: undefined when absent, null when unreadable (answer 400). */
export function queryTime(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
