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

/**
 * `since` and `bucketSeconds` of a `GET /admin/activity` (connector and
 * relay): since within the last 8 days — the count walks every row of the
 * window on the service's own thread — in buckets of 60 s to 1 day, at most
 * 1,000 of them. A string is the 400 message.
 */
export function activityWindow(ctx: Context, now = Date.now()): { since: number; bucketMs: number } | string {
  const since = queryTime(queryValue(ctx, 'since'));
  const bucketSeconds = Number(queryValue(ctx, 'bucketSeconds') ?? 3_600);
  if (since === null || since === undefined || since < now - 8 * 86_400_000) return 'since must be an ISO 8601 time within the last 8 days';
  if (!(Number.isInteger(bucketSeconds) && bucketSeconds >= 60 && bucketSeconds <= 86_400)) return 'bucketSeconds must be an integer from 60 to 86400';
  if ((now - since) / (bucketSeconds * 1_000) > 1_000) return 'at most 1000 buckets: a later since or wider buckets';
  return { since, bucketMs: bucketSeconds * 1_000 };
}
