import type { Context } from 'koa';
import { CaraloomError } from '../../core/errors.js';
import { mediaType, readRawBody } from '../../core/http/raw-body.js';

export interface JsonBodyOptions {
  /** Largest body accepted (413 above). */
  limit: number;
  /** Accepted media types. @default ['application/json'] */
  types?: readonly string[];
}

/**
 * Read and parse a JSON request body: 415 for another content type, 413 over
 * the limit, 400 for malformed JSON or a body that is not an object. Codes:
 * `UNSUPPORTED_MEDIA_TYPE`, `BODY_TOO_LARGE`, `BODY_MALFORMED`, `BODY_NOT_OBJECT`.
 */
export async function readJsonObject(ctx: Context, options: JsonBodyOptions): Promise<Record<string, unknown>> {
  const types = options.types ?? ['application/json'];
  const type = mediaType(ctx.req);
  if (!types.includes(type)) {
    ctx.req.resume();
    throw new CaraloomError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${types.join(' or ')}`, { status: 415, details: { received: type || null } });
  }
  const raw = await readRawBody(ctx.req, options.limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new CaraloomError('BODY_MALFORMED', 'request body is not valid JSON', { status: 400 });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CaraloomError('BODY_NOT_OBJECT', 'request body must be a JSON object', { status: 400 });
  }
  return parsed as Record<string, unknown>;
}
