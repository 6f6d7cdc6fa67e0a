import type { Middleware } from 'koa';
import { FhirOutcomeError } from '../../core/fhir/outcome.js';
import { fhirJsonTypes } from '../../core/fhir/read-json.js';
import type { SandboxState } from '../http/state.js';

/**
 * The FHIR door's HTTP manners (R4 §3.1.0.1): JSON only, in
 * `application/fhir+json; fhirVersion=4.0`, every error an OperationOutcome.
 * Rate information goes in headers only (set by the shared rate limiter), so
 * every body stays a valid FHIR resource.
 */

// One FHIR HTTP helper for every FHIR door (core/fhir/http.ts); only content negotiation is the sandbox's own.
export { fhirContentType, fhirErrors, sendResource } from '../../core/fhir/http.js';

/** What a client may ask for in `Accept`, `_format` or send as `Content-Type`. */
const jsonTypes = fhirJsonTypes;
const formatAliases = new Set(['json', ...jsonTypes]);

function notAcceptable(what: string): FhirOutcomeError {
  return new FhirOutcomeError('NOT_ACCEPTABLE', 406, [{ code: 'not-supported', diagnostics: `this server speaks FHIR R4 JSON only (application/fhir+json; fhirVersion=4.0); ${what}` }]);
}

/** One `Accept` entry is acceptable when it names JSON (or a wildcard), is not q=0, and asks for no other FHIR version. */
function acceptable(entry: string): boolean {
  const [type = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
  const param = (name: string) => params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1).replace(/"/g, '');
  if (param('q') !== undefined && Number(param('q')) === 0) return false;
  const version = param('fhirversion');
  if (version !== undefined && !version.startsWith('4.0')) return false;
  return type === '*/*' || type === 'application/*' || jsonTypes.has(type);
}

/** 406 for a request that accepts only XML, Turtle or another FHIR version. */
export const negotiate: Middleware<SandboxState> = async (ctx, next) => {
  const format = ctx.query._format;
  if (format !== undefined) {
    const value = (Array.isArray(format) ? format[0]! : format).split(';')[0]!.trim().toLowerCase();
    if (!formatAliases.has(value)) throw notAcceptable(`_format=${value.slice(0, 40)} is not supported`);
  } else {
    const accept = ctx.get('accept');
    if (accept.trim() !== '' && !accept.split(',').some(acceptable)) throw notAcceptable(`Accept: ${accept.slice(0, 80)} is not`);
  }
  await next();
};

export { readFhirJson } from '../../core/fhir/read-json.js';
