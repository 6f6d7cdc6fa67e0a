import type { Context } from 'koa';
import { CaraloomError } from '../../core/errors.js';
import { mediaType, readRawBody } from '../../core/http/raw-body.js';

/** A urlencoded form body (the console's forms post nothing else). */
export async function readForm(ctx: Context, limit = 256 * 1024): Promise<URLSearchParams> {
  if (mediaType(ctx.req) !== 'application/x-www-form-urlencoded') throw new CaraloomError('UNSUPPORTED_MEDIA_TYPE', 'forms are sent urlencoded', { status: 415 });
  return new URLSearchParams((await readRawBody(ctx.req, limit)).toString('utf8'));
}

/** A query parameter as one trimmed string, or undefined. */
export function param(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  const text = typeof value === 'string' ? value.trim() : undefined;
  return text === '' ? undefined : text;
}
