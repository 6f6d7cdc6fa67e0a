import { envelope, ref, type Schema } from './native-schemas.js';

/** The native endpoints (`/v1/...`), as `sandbox/routes/*` serve them. */

const json = (schema: Schema) => ({ 'application/json': { schema } });
const rateHeaders = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
  'RateLimit-Policy': { $ref: '#/components/headers/RateLimitPolicy' },
};

export function ok(description: string, data: Schema, headers: Record<string, unknown> = {}): Schema {
  return { description, headers: { ...rateHeaders, ...headers }, content: json(envelope(data)) };
}

const error = (description: string): Schema => ({ $ref: `#/components/responses/${description}` });

/** Shared native error responses, referenced as `#/components/responses/…`. */
export const nativeResponses: Record<string, Schema> = {
  BadRequest: { description: 'Malformed JSON or an invalid query parameter (details name each one)', content: json(ref('Error')) },
  Unauthorized: { description: 'Missing, malformed or unknown API key', headers: { 'WWW-Authenticate': { schema: { type: 'string' } } }, content: json(ref('Error')) },
  NotFound: { description: 'No such resource for this key', content: json(ref('Error')) },
  Conflict: { description: 'Idempotency-Key reused with a different body', content: json(ref('Error')) },
  PayloadTooLarge: { description: 'Body over the configured limit', content: json(ref('Error')) },
  UnsupportedMediaType: { description: 'Content-Type is not application/json', content: json(ref('Error')) },
  Unprocessable: { description: 'Invalid fields (details list each { field, message })', content: json(ref('Error')) },
  TooManyRequests: {
    description: 'A rate-limit window is exhausted',
    headers: { ...rateHeaders, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    content: json(ref('Error')),
  },
};

const keyed = { 401: error('Unauthorized'), 429: error('TooManyRequests') };
const query = (name: string, description: string, schema: Schema = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const idempotencyKey = { name: 'Idempotency-Key', in: 'header', required: false, description: 'Replays with the same key and body return the same result (200, Idempotent-Replayed: true); another body → 409', schema: { type: 'string', maxLength: 255 } };
const location = { Location: { $ref: '#/components/headers/Location' } };
const totalCount = { 'X-Total-Count': { description: 'Matches before paging', schema: { type: 'integer' } } };

export const nativePaths: Record<string, Schema> = {
  '/v1/health': {
    get: { tags: ['System'], operationId: 'health', summary: 'Liveness probe', description: 'Public: no key, not rate limited.', security: [], responses: { 200: { description: 'Up', content: json(envelope(ref('Health'))) } } },
  },
  '/v1/clinicians/search': {
    get: {
      tags: ['Clinicians'],
      operationId: 'searchClinicians',
      summary: 'Search the verified clinical workforce (de-identified sandbox data)',
      parameters: [
        query('state', 'Two-letter US state or DC', { type: 'string', example: 'TX' }),
        query('city', 'City name'),
        query('zip', 'Five-digit ZIP: nearest first, within each clinician\'s service radius'),
        query('diagnosis', 'Shorthand (CHF, COPD, stroke, wound, diabetes…) or ICD-10-CM (I50.9)'),
        query('discipline', 'RN, LPN, PT, OT, SLP, HHA or MSW', { type: 'string', enum: ['RN', 'LPN', 'PT', 'OT', 'SLP', 'HHA', 'MSW'] }),
        query('limit', 'Results, 1–100', { type: 'integer', minimum: 1, maximum: 100, default: 10 }),
      ],
      responses: { 200: ok('Matching clinicians', { type: 'array', items: ref('Clinician') }, totalCount), 400: error('BadRequest'), ...keyed },
    },
  },
  '/v1/discharge-referrals': {
    post: {
      tags: ['Referrals'],
      operationId: 'createReferral',
      summary: 'Submit a discharge referral and receive matched, verified clinicians',
      description: 'Fires referral.created (and referral.matched when clinicians were chosen) to your webhooks.',
      parameters: [idempotencyKey],
      requestBody: { required: true, content: { 'application/json': { schema: ref('ReferralRequest'), example: { primary_diagnosis: 'CHF', care_type: 'Skilled Nursing', zip: '78701' } } } },
      responses: {
        201: ok('Created', ref('Referral'), location),
        200: ok('Idempotent replay of an earlier request', ref('Referral'), { ...location, 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] } } }),
        400: error('BadRequest'),
        409: error('Conflict'),
        413: error('PayloadTooLarge'),
        415: error('UnsupportedMediaType'),
        422: error('Unprocessable'),
        ...keyed,
      },
    },
    get: {
      tags: ['Referrals'],
      operationId: 'listReferrals',
      summary: 'Your referrals, newest first',
      parameters: [
        query('status', 'pending, matched or cancelled', { type: 'string', enum: ['pending', 'matched', 'cancelled'] }),
        query('external_id', 'Your own id'),
        query('patient', 'Patient id'),
        query('limit', '1–100', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
        query('offset', 'Skip this many', { type: 'integer', minimum: 0, default: 0 }),
      ],
      responses: { 200: ok('Referrals', { type: 'array', items: ref('Referral') }, totalCount), 400: error('BadRequest'), ...keyed },
    },
  },
  '/v1/discharge-referrals/{id}': {
    get: {
      tags: ['Referrals'],
      operationId: 'getReferral',
      summary: 'One of your referrals',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: ok('The referral', ref('Referral')), 404: error('NotFound'), ...keyed },
    },
  },
  '/v1/geo/zip/{zip}': {
    get: {
      tags: ['Geo'],
      operationId: 'resolveZip',
      summary: 'Resolve a ZIP to its nearest service city and state',
      parameters: [{ name: 'zip', in: 'path', required: true, schema: { type: 'string', example: '78701' } }],
      responses: { 200: ok('The place', ref('ZipPlace')), 400: error('BadRequest'), 404: error('NotFound'), ...keyed },
    },
  },
  '/v1/webhooks': {
    post: {
      tags: ['Webhooks'],
      operationId: 'registerWebhook',
      summary: 'Register the endpoint that receives signed event callbacks',
      description: 'Returns the signing secret once. A ping is sent to the new endpoint.',
      requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookRequest'), example: { url: 'https://your-app.com/hooks', events: ['referral.created'] } } } },
      responses: { 201: ok('Registered (secret shown this once)', ref('WebhookCreated'), location), 400: error('BadRequest'), 413: error('PayloadTooLarge'), 415: error('UnsupportedMediaType'), 422: error('Unprocessable'), ...keyed },
    },
    get: { tags: ['Webhooks'], operationId: 'listWebhooks', summary: 'Your webhook registrations (no secrets)', responses: { 200: ok('Registrations', { type: 'array', items: ref('Webhook') }), ...keyed } },
  },
  '/v1/webhooks/{id}': {
    delete: {
      tags: ['Webhooks'],
      operationId: 'deleteWebhook',
      summary: 'Remove a webhook registration',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: ok('Removed', ref('WebhookDeleted')), 404: error('NotFound'), ...keyed },
    },
  },
  '/v1/webhooks/{id}/deliveries': {
    get: {
      tags: ['Webhooks'],
      operationId: 'listWebhookDeliveries',
      summary: 'Status and attempts of the latest 50 deliveries to a webhook',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: ok('Deliveries', { type: 'array', items: ref('WebhookDelivery') }), 404: error('NotFound'), ...keyed },
    },
  },
};
