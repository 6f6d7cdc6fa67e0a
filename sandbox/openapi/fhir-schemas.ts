import { ref, type Schema } from './native-schemas.js';

/**
 * OpenAPI 3.0 schemas of the FHIR R4 resources the facade serves. They pin
 * what a client relies on (resourceType, required elements, required-binding
 * codes) and leave the rest open: the normative definition is FHIR R4 itself,
 * linked from each schema.
 */

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const array = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const fhirId = str({ pattern: '^[A-Za-z0-9\\-.]{1,64}$' });
const spec = (type: string) => ({ description: `https://hl7.org/fhir/R4/${type.toLowerCase()}.html`, url: `https://hl7.org/fhir/R4/${type.toLowerCase()}.html` });

function resource(type: string, required: string[], properties: Schema): Schema {
  return {
    type: 'object',
    description: `FHIR R4 ${type}`,
    externalDocs: spec(type),
    required: ['resourceType', ...required],
    additionalProperties: true,
    properties: { resourceType: str({ enum: [type] }), id: fhirId, meta: ref('FhirMeta'), ...properties },
  };
}

export const fhirSchemas: Record<string, Schema> = {
  FhirMeta: {
    type: 'object',
    additionalProperties: true,
    properties: { versionId: str(), lastUpdated: str({ format: 'date-time' }), profile: array(str()), tag: array(ref('FhirCoding')) },
  },
  FhirCoding: { type: 'object', additionalProperties: true, properties: { system: str(), code: str(), display: str() } },
  FhirCodeableConcept: { type: 'object', additionalProperties: true, properties: { coding: array(ref('FhirCoding')), text: str() } },
  FhirReference: { type: 'object', additionalProperties: true, properties: { reference: str(), display: str(), identifier: { type: 'object' } } },
  FhirResource: {
    type: 'object',
    description: 'Any FHIR R4 resource',
    required: ['resourceType'],
    additionalProperties: true,
    properties: { resourceType: str(), id: fhirId },
  },
  ServiceRequest: resource('ServiceRequest', ['status', 'intent', 'subject'], {
    status: str({ enum: ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'], description: 'Must be active to create a referral' }),
    intent: str({ enum: ['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option'], description: 'Must be an order (order, original-order, reflex-order, filler-order, instance-order) to create a referral' }),
    priority: str({ enum: ['routine', 'urgent', 'asap', 'stat'] }),
    subject: ref('FhirReference'),
    code: ref('FhirCodeableConcept'),
    reasonCode: array(ref('FhirCodeableConcept'), { description: 'A referral needs one with an ICD-10-CM coding (system http://hl7.org/fhir/sid/icd-10-cm), or a text the sandbox knows (CHF, COPD…)' }),
    note: array({ type: 'object', required: ['text'], properties: { text: str() } }),
    identifier: array({ type: 'object', properties: { system: str(), value: str() } }),
    encounter: ref('FhirReference'),
    occurrenceDateTime: str(),
  }),
  Patient: resource('Patient', [], { gender: str({ enum: ['male', 'female', 'other', 'unknown'] }), name: array({ type: 'object' }), identifier: array({ type: 'object' }) }),
  Encounter: resource('Encounter', ['status', 'class'], {
    status: str({ enum: ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled', 'entered-in-error', 'unknown'] }),
    class: { allOf: [ref('FhirCoding')], description: 'v3 ActCode HH (home health)' },
    subject: ref('FhirReference'),
    basedOn: array(ref('FhirReference')),
  }),
  OperationOutcome: resource('OperationOutcome', ['issue'], {
    issue: array(
      {
        type: 'object',
        required: ['severity', 'code'],
        properties: {
          severity: str({ enum: ['fatal', 'error', 'warning', 'information'] }),
          code: str({ description: 'R4 issue type: required, value, code-invalid, business-rule, not-found, login, throttled…' }),
          diagnostics: str(),
          expression: array(str(), { description: 'FHIRPath of each element concerned' }),
          details: ref('FhirCodeableConcept'),
        },
      },
      { minItems: 1 },
    ),
  }),
  Bundle: resource('Bundle', ['type'], {
    type: str({ enum: ['searchset'] }),
    total: { type: 'integer', minimum: 0 },
    link: array({ type: 'object', required: ['relation', 'url'], properties: { relation: str({ description: 'self, first, previous, next' }), url: str() } }),
    entry: array({
      type: 'object',
      properties: { fullUrl: str(), resource: ref('FhirResource'), search: { type: 'object', properties: { mode: str({ enum: ['match', 'include', 'outcome'] }) } } },
    }),
  }),
  CapabilityStatement: resource('CapabilityStatement', ['status', 'date', 'kind', 'fhirVersion', 'format'], {
    status: str({ enum: ['draft', 'active', 'retired', 'unknown'] }),
    kind: str({ enum: ['instance', 'capability', 'requirements'] }),
    fhirVersion: str({ enum: ['4.0.1'] }),
    format: array(str()),
    rest: array({ type: 'object' }),
  }),
};
