import type { IncomingMessage } from 'node:http';
import { CaraloomError } from '../errors.js';

/** Default request body limit for every HTTP door. */
export const defaultBodyLimit = 1024 * 1024;

/**
 * Read a request body as exact bytes (signatures are checked over these, never
 * over re-serialised JSON). Stops reading past `limit` and fails with 413
 * instead of buffering without bound.
 */
export async function readRawBody(req: IncomingMessage, limit = defaultBodyLimit): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new CaraloomError('BODY_TOO_LARGE', `request body exceeds ${limit} bytes`, { status: 413 });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      req.resume();
      throw new CaraloomError('BODY_TOO_LARGE', `request body exceeds ${limit} bytes`, { status: 413 });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** The media type of a request without parameters, lower-case (`application/fhir+json`). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
