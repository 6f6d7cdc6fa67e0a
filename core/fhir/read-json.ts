import type { Context } from 'koa';
import { CaraloomError } from '../errors.js';
import { mediaType, readRawBody } from '../http/raw-body.js';
import { FhirOutcomeError } from './outcome.js';

/** Media types a FHIR JSON door accepts (`application/json+fhir` is the DSTU2-era name some engines still send). */
export const fhirJsonTypes: ReadonlySet<string> = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);

/**
 * Read a FHIR JSON body as an OperationOutcome-speaking door must: 415 for
 * another content type, 413 over `limit`, 400 for malformed JSON. A UTF-8
 * byte-order mark is skipped (RFC 8259 §8.1 lets a parser ignore it; Windows
 * tools add one).
 */
export async function readFhirJson(ctx: Context, limit: number): Promise<unknown> {
  if (!fhirJsonTypes.has(mediaType(ctx.req))) {
    ctx.req.resume();
    throw new FhirOutcomeError('UNSUPPORTED_MEDIA_TYPE', 415, [{ code: 'not-supported', diagnostics: 'Content-Type must be application/fhir+json (or application/json)' }]);
  }
  let raw: Buffer;
  try {
    raw = await readRawBody(ctx.req, limit);
  } catch (error) {
    if (error instanceof CaraloomError) throw new FhirOutcomeError(error.code, error.status, [{ code: 'too-long', diagnostics: error.message }]);
    throw error;
  }
  try {
    return JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch {
    throw new FhirOutcomeError('BODY_MALFORMED', 400, [{ code: 'structure', diagnostics: 'request body is not valid JSON' }]);
  }
}
