import { ref, type Schema } from './native-schemas.js';

/** The FHIR R4 facade (`/v1/fhir/...`), as `sandbox/fhir/router.ts` serves it. */

const fhir = (schema: Schema) => ({ 'application/fhir+json': { schema } });
const rateHeaders = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
  'RateLimit-Policy': { $ref: '#/components/headers/RateLimitPolicy' },
};
const outcome = (name: string) => ({ $ref: `#/components/responses/${name}` });
const resourceOk = (description: string, schema: Schema, headers: Record<string, unknown> = {}) => ({ description, headers: { ...rateHeaders, ETag: { schema: { type: 'string' } }, ...headers }, content: fhir(schema) });

/** Shared FHIR error responses: every one an OperationOutcome. */
export const fhirResponses: Record<string, Schema> = {
  FhirBadRequest: { description: 'Malformed JSON, wrong resourceType, a bad search value, or an unknown search parameter under Prefer: handling=strict', content: fhir(ref('OperationOutcome')) },
  FhirUnauthorized: { description: 'Missing, malformed or unknown API key', headers: { 'WWW-Authenticate': { schema: { type: 'string' } } }, content: fhir(ref('OperationOutcome')) },
  FhirNotFound: { description: 'Unknown id (for this key) or resource type', content: fhir(ref('OperationOutcome')) },
  FhirNotAcceptable: { description: 'Accept or _format asks for something other than FHIR R4 JSON', content: fhir(ref('OperationOutcome')) },
  FhirConflict: { description: 'Idempotency-Key reused with a different body', content: fhir(ref('OperationOutcome')) },
  FhirPayloadTooLarge: { description: 'Body over the configured limit', content: fhir(ref('OperationOutcome')) },
  FhirUnsupportedMediaType: { description: 'Content-Type is not application/fhir+json or application/json', content: fhir(ref('OperationOutcome')) },
  FhirUnprocessable: {
    description: 'Fails R4 validation (missing status/intent/subject, a code outside a required value set…) or cannot be a referral (not active, not an order, no ICD-10-CM reason); each issue names the element by FHIRPath',
    content: fhir(ref('OperationOutcome')),
  },
  FhirTooManyRequests: { description: 'A rate-limit window is exhausted', headers: { ...rateHeaders, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }, content: fhir(ref('OperationOutcome')) },
};

const keyed = { 401: outcome('FhirUnauthorized'), 406: outcome('FhirNotAcceptable'), 429: outcome('FhirTooManyRequests') };
const idParam = (description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } });
const vidParam = { name: 'vid', in: 'path', required: true, description: 'Version id (meta.versionId)', schema: { type: 'string' } };
const query = (name: string, description: string, schema: Schema = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const format = query('_format', 'json, application/json or application/fhir+json (anything else: 406)');
const paging = [
  query('_count', 'Page size, 0–100 (0: total only)', { type: 'integer', minimum: 0, default: 10 }),
  query('_offset', 'Matches to skip; next links carry it', { type: 'integer', minimum: 0, default: 0 }),
  format,
  { name: 'Prefer', in: 'header', required: false, description: 'handling=strict: unknown search parameters are refused (400) instead of reported in an OperationOutcome entry', schema: { type: 'string', example: 'handling=strict' } },
];

function read(type: string, description: string, schema: string): Schema {
  const a = /^[AEIOU]/.test(type) ? 'an' : 'a';
  return {
    [`/v1/fhir/${type}/{id}`]: {
      get: { tags: ['FHIR R4'], operationId: `read${type}`, summary: `Read ${a} ${type}`, description, parameters: [idParam(`${type} id`), format], responses: { 200: resourceOk(type, ref(schema)), 404: outcome('FhirNotFound'), ...keyed } },
    },
    [`/v1/fhir/${type}/{id}/_history/{vid}`]: {
      get: { tags: ['FHIR R4'], operationId: `vread${type}`, summary: `Read a version of ${a} ${type}`, parameters: [idParam(`${type} id`), vidParam, format], responses: { 200: resourceOk(type, ref(schema)), 404: outcome('FhirNotFound'), ...keyed } },
    },
  };
}

const search = (type: string, parameters: Schema[], statuses: string) => ({
  tags: ['FHIR R4'],
  operationId: `search${type}`,
  summary: `Search ${type}s (Bundle searchset)`,
  parameters: [
    query('patient', 'Patient/{id} or {id}', { type: 'string', example: 'Patient/abc-123' }),
    query('subject', 'Patient/{id}'),
    query('status', statuses),
    query('_id', 'Logical id(s), comma-separated'),
    ...parameters,
    ...paging,
  ],
  responses: { 200: resourceOk('Bundle searchset: total, self/first/previous/next links, fullUrls; unknown parameters reported in an OperationOutcome entry', ref('Bundle')), 400: outcome('FhirBadRequest'), ...keyed },
});

export const fhirPaths: Record<string, Schema> = {
  '/v1/fhir/metadata': {
    get: {
      tags: ['FHIR R4'],
      operationId: 'fhirCapabilities',
      summary: 'CapabilityStatement (public)',
      description: 'What this server supports: read Patient; read and search Encounter; read, search and create ServiceRequest.',
      security: [],
      parameters: [format],
      responses: { 200: { description: 'CapabilityStatement', content: fhir(ref('CapabilityStatement')) }, 406: outcome('FhirNotAcceptable') },
    },
  },
  ...read('Patient', 'De-identified Patient (US Core Patient profile): masked name, gender unknown.', 'Patient'),
  ...read('Encounter', 'The planned home-health visit: class v3 ActCode HH (US Core Encounter profile).', 'Encounter'),
  '/v1/fhir/Encounter': { get: search('Encounter', [], 'planned (pending or matched referral) | cancelled') },
  ...read('ServiceRequest', 'The discharge referral (US Core ServiceRequest profile).', 'ServiceRequest'),
  '/v1/fhir/ServiceRequest': {
    get: search('ServiceRequest', [query('identifier', '[system|]value: the identifier you posted, or the referral id')], 'active (pending or matched) | revoked (cancelled)'),
    post: {
      tags: ['FHIR R4'],
      operationId: 'createServiceRequest',
      summary: 'Create a discharge referral from a FHIR R4 ServiceRequest',
      description:
        'Fires referral.created exactly as POST /v1/discharge-referrals does. Needs status active, an order intent, a Patient subject and a reason (reasonCode with an ICD-10-CM coding). Care type from code (default Home Health); ZIP from a contained Location (locationReference) or contained Patient address (default 78701).',
      parameters: [
        { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 }, description: 'Same key and body → 200 with the same resource; another body → 409' },
        { name: 'Prefer', in: 'header', required: false, schema: { type: 'string', enum: ['return=representation', 'return=minimal', 'return=OperationOutcome'] } },
      ],
      requestBody: {
        required: true,
        content: {
          'application/fhir+json': {
            schema: ref('ServiceRequest'),
            example: {
              resourceType: 'ServiceRequest',
              status: 'active',
              intent: 'order',
              subject: { display: 'Jane Doe, MRN-12345' },
              priority: 'urgent',
              reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I50.9', display: 'Heart failure' }] }],
              note: [{ text: 'Needs IV diuretic monitoring at home.' }],
            },
          },
          'application/json': { schema: ref('ServiceRequest') },
        },
      },
      responses: {
        201: resourceOk('Created: the stored ServiceRequest (empty with Prefer: return=minimal)', ref('ServiceRequest'), { Location: { $ref: '#/components/headers/Location' } }),
        200: resourceOk('Idempotent replay', ref('ServiceRequest'), { Location: { $ref: '#/components/headers/Location' } }),
        400: outcome('FhirBadRequest'),
        409: outcome('FhirConflict'),
        413: outcome('FhirPayloadTooLarge'),
        415: outcome('FhirUnsupportedMediaType'),
        422: outcome('FhirUnprocessable'),
        ...keyed,
      },
    },
  },
};
