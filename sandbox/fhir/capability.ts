import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { profiles } from './profiles.js';
import { searchParams, type SearchableType } from './search.js';

/**
 * The CapabilityStatement (R4 §2.14): exactly what this facade does — read
 * Patient, read + search Encounter, read + search + create ServiceRequest,
 * with the search parameters `search.ts` implements and nothing more.
 */

export interface CapabilityInput {
  /** `http://host:port/v1/fhir`. */
  base: string;
  /** When this server started (ISO). */
  date: string;
  version: string;
}

function searchable(type: SearchableType): Pick<CapabilityStatementRestResource, 'searchParam'> {
  return { searchParam: searchParams[type].map((spec) => ({ name: spec.name, definition: spec.definition, type: spec.type, documentation: spec.documentation })) };
}

const common = { versioning: 'versioned', readHistory: false, updateCreate: false, conditionalCreate: false, conditionalRead: 'not-supported', conditionalUpdate: false, conditionalDelete: 'not-supported' } as const;

export function capabilityStatement(input: CapabilityInput): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    id: 'caraloom-sandbox',
    url: `${input.base}/metadata`,
    version: input.version,
    name: 'CaraLoomSandboxFhir',
    title: 'CaraLoom Discharge API sandbox — FHIR R4 facade',
    status: 'active',
    experimental: true,
    date: input.date,
    publisher: 'CaraLoom',
    description: 'Discharge referrals as ServiceRequests, with their de-identified Patients and planned home-health Encounters. Same keys and rate limits as the native API.',
    kind: 'instance',
    software: { name: 'CaraLoom Connect sandbox', version: input.version },
    implementation: { description: 'CaraLoom Discharge API sandbox (local)', url: input.base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Search results page with _count (default 10, at most 100) and _offset; follow Bundle.link next. Unknown search parameters are reported in an OperationOutcome entry, or refused with 400 under Prefer: handling=strict.',
        security: {
          cors: false,
          description: 'Every interaction except this CapabilityStatement needs a sandbox API key: Authorization: Bearer clk_sandbox_… or X-API-Key: clk_sandbox_…. 60 requests a minute and 5,000 a day per key; the windows are reported in RateLimit-* headers, and 429 comes with Retry-After.',
        },
        resource: [
          { type: 'Patient', profile: 'http://hl7.org/fhir/StructureDefinition/Patient', supportedProfile: [profiles.patient], interaction: [{ code: 'read' }, { code: 'vread' }], ...common },
          {
            type: 'Encounter',
            profile: 'http://hl7.org/fhir/StructureDefinition/Encounter',
            supportedProfile: [profiles.encounter],
            interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'search-type' }],
            ...common,
            ...searchable('Encounter'),
          },
          {
            type: 'ServiceRequest',
            profile: 'http://hl7.org/fhir/StructureDefinition/ServiceRequest',
            supportedProfile: [profiles.serviceRequest],
            documentation: 'create makes a discharge referral and fires referral.created exactly as POST /v1/discharge-referrals does; Idempotency-Key is honoured.',
            interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'search-type' }, { code: 'create' }],
            ...common,
            ...searchable('ServiceRequest'),
          },
        ],
      },
    ],
  };
}
