/**
 * OpenAPI 3.0 schemas of the native API's JSON (snake_case, the `{ data |
 * error, rate }` envelope), matching `sandbox/views/native.ts`.
 */

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description === undefined ? {} : { description }), ...extra });
const int = (description?: string): Schema => ({ type: 'integer', ...(description === undefined ? {} : { description }) });
const dateTime = str(undefined, { format: 'date-time' });

/** `{ data: <schema>, rate }`. */
export function envelope(data: Schema): Schema {
  return { type: 'object', required: ['data', 'rate'], properties: { data, rate: ref('Rate') } };
}

const rateWindow: Schema = {
  type: 'object',
  description: 'One rate-limit window; every field is null when the window is disabled.',
  required: ['limit', 'remaining', 'reset_at', 'reset_in_seconds'],
  properties: {
    limit: nullable(int('Requests allowed in the window')),
    remaining: nullable(int('Requests left in the window')),
    reset_at: nullable({ ...dateTime, description: 'When the window resets' }),
    reset_in_seconds: nullable(int()),
  },
};

const discipline = str('Clinician discipline', { enum: ['RN', 'LPN', 'PT', 'OT', 'SLP', 'HHA', 'MSW'] });

export const nativeSchemas: Record<string, Schema> = {
  RateWindow: rateWindow,
  Rate: nullable({
    type: 'object',
    description: 'Your remaining quota, on every native response (null on the public health probe). FHIR responses carry the same in RateLimit-* headers only.',
    required: ['minute', 'day'],
    properties: { minute: ref('RateWindow'), day: ref('RateWindow') },
  }),
  Error: {
    type: 'object',
    required: ['error', 'rate'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: str('Stable, machine-readable code (KEY_MISSING, RATE_LIMITED, REFERRAL_INVALID, PARAMETER_INVALID…)'),
          message: str('Short, human-readable explanation'),
          details: { description: 'Structured details: for 400/422 a list of { field | parameter, message }' },
        },
      },
      rate: ref('Rate'),
    },
  },
  Health: {
    type: 'object',
    required: ['status', 'service', 'time'],
    properties: { status: str(undefined, { enum: ['ok'] }), service: str(), time: dateTime },
  },
  Clinician: {
    type: 'object',
    required: ['id', 'display_name', 'discipline', 'specialties', 'languages', 'license', 'verification', 'location', 'service_radius_miles', 'accepting_referrals'],
    properties: {
      id: str(undefined, { example: 'clin_0042' }),
      display_name: str('De-identified display name'),
      discipline,
      specialties: { type: 'array', items: str() },
      languages: { type: 'array', items: str() },
      license: {
        type: 'object',
        required: ['state', 'number', 'verified', 'verified_at', 'expires_at'],
        properties: { state: str(), number: str('Masked license number'), verified: { type: 'boolean' }, verified_at: str(), expires_at: str() },
      },
      verification: { type: 'object', required: ['status', 'background_check_at'], properties: { status: str(undefined, { enum: ['verified', 'pending'] }), background_check_at: str() } },
      location: { type: 'object', required: ['zip', 'city', 'state'], properties: { zip: str(), city: str(), state: str() } },
      service_radius_miles: { type: 'number' },
      accepting_referrals: { type: 'boolean' },
      distance_miles: { type: 'number', description: 'From the searched ZIP, when one was given' },
    },
  },
  ClinicianMatch: {
    type: 'object',
    required: ['clinician_id', 'display_name', 'discipline', 'specialties', 'distance_miles', 'score', 'reasons'],
    properties: {
      clinician_id: str(),
      display_name: str(),
      discipline,
      specialties: { type: 'array', items: str() },
      distance_miles: { type: 'number' },
      score: { type: 'number', minimum: 0, maximum: 1, description: 'Fit: care type → discipline, diagnosis → specialty, distance' },
      reasons: { type: 'array', items: str() },
    },
  },
  ReferralRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['primary_diagnosis', 'care_type', 'zip'],
    properties: {
      primary_diagnosis: str('Shorthand (CHF, COPD, stroke, wound, diabetes…), an ICD-10-CM code (I50.9) or a known phrase', { example: 'CHF' }),
      care_type: str('Skilled Nursing, Home Health, Physical Therapy, Occupational Therapy, Speech Therapy, Wound Care, Home Health Aide, Medical Social Work, Hospice, Palliative Care (case-insensitive; aliases accepted)', { example: 'Skilled Nursing' }),
      zip: str('Five-digit US ZIP of the discharge destination (ZIP+4 accepted)', { example: '78701' }),
      priority: str(undefined, { enum: ['routine', 'urgent', 'asap', 'stat'], default: 'routine' }),
      discharge_date: str('YYYY-MM-DD', { format: 'date' }),
      facility: str(undefined, { maxLength: 200 }),
      external_id: str('Your own id for this referral', { maxLength: 128 }),
      notes: str(undefined, { maxLength: 2000 }),
      patient: { type: 'object', additionalProperties: false, description: 'De-identified subject; an id is minted when absent', properties: { id: str(undefined, { pattern: '^[A-Za-z0-9\\-.]{1,64}$' }), display: str(undefined, { maxLength: 200 }) } },
    },
  },
  Referral: {
    type: 'object',
    required: ['id', 'status', 'primary_diagnosis', 'care_type', 'zip', 'priority', 'patient', 'encounter_id', 'matches', 'source', 'created_at', 'updated_at'],
    properties: {
      id: str(undefined, { example: 'ref_3f2a…' }),
      status: str(undefined, { enum: ['pending', 'matched', 'cancelled'] }),
      primary_diagnosis: {
        type: 'object',
        required: ['input', 'code', 'display', 'category'],
        properties: { input: str(), code: nullable(str('ICD-10-CM')), display: str(), category: nullable(str('Specialty that fits')) },
      },
      care_type: str(),
      zip: str(),
      city: nullable(str()),
      state: nullable(str()),
      priority: str(undefined, { enum: ['routine', 'urgent', 'asap', 'stat'] }),
      discharge_date: nullable(str()),
      facility: nullable(str()),
      external_id: nullable(str()),
      notes: nullable(str()),
      patient: { type: 'object', required: ['id', 'display'], properties: { id: str('Also the FHIR Patient id (with "-" for "_")'), display: nullable(str()) } },
      encounter_id: str('Also the FHIR Encounter id (with "-" for "_")'),
      matches: { type: 'array', items: ref('ClinicianMatch') },
      source: str('Which door created it', { enum: ['native', 'fhir'] }),
      created_at: dateTime,
      updated_at: dateTime,
    },
  },
  ZipPlace: {
    type: 'object',
    required: ['zip', 'city', 'state', 'latitude', 'longitude', 'in_service_area', 'nearest_service_city', 'clinicians_in_range'],
    properties: {
      zip: str(),
      city: str(),
      state: str(),
      latitude: { type: 'number' },
      longitude: { type: 'number' },
      in_service_area: { type: 'boolean' },
      nearest_service_city: nullable({ type: 'object', required: ['city', 'state', 'distance_miles'], properties: { city: str(), state: str(), distance_miles: { type: 'number' } } }),
      clinicians_in_range: int(),
    },
  },
  WebhookRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: str('Absolute http(s) URL that receives events', { format: 'uri', maxLength: 2048, example: 'https://your-app.com/hooks' }),
      events: { type: 'array', minItems: 1, items: ref('WebhookEventType'), description: 'Defaults to every event type' },
    },
  },
  WebhookEventType: str(undefined, { enum: ['referral.created', 'referral.matched', 'ping'] }),
  Webhook: {
    type: 'object',
    required: ['id', 'url', 'events', 'created_at'],
    properties: { id: str(undefined, { example: 'wh_…' }), url: str(), events: { type: 'array', items: ref('WebhookEventType') }, created_at: dateTime },
  },
  WebhookCreated: {
    allOf: [ref('Webhook'), { type: 'object', required: ['secret'], properties: { secret: str('Signing secret, shown this once: verify `X-CaraLoom-Signature: sha256=<hex HMAC-SHA256 of the raw body>`') } }],
  },
  WebhookDeleted: { type: 'object', required: ['id', 'deleted'], properties: { id: str(), deleted: { type: 'boolean', enum: [true] } } },
  WebhookDelivery: {
    type: 'object',
    required: ['delivery_id', 'event_id', 'event_type', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at'],
    properties: {
      delivery_id: str(),
      event_id: str(),
      event_type: ref('WebhookEventType'),
      status: str(undefined, { enum: ['queued', 'delivered', 'dead', 'filtered', 'rejected', 'cancelled'] }),
      attempts: int(),
      next_attempt_at: nullable(dateTime),
      last_error: nullable(str()),
      created_at: dateTime,
    },
  },
};
