/**
 * The connector's own CapabilityStatement (`GET /fhir/metadata`): what an
 * engine's FHIR sender may do here — create ServiceRequests (conditionally,
 * with If-None-Exist) and post transaction or batch Bundles. Nothing is
 * readable or searchable: the referral lives at the API.
 */
import type { CapabilityStatement } from 'fhir/r4.js';

export interface CapabilityOptions {
  /** Base URL the statement describes (`http://host:8081/fhir`). */
  base: string;
  /** When the connector started (ISO). */
  date: string;
  version: string;
}

export function connectorCapabilityStatement(options: CapabilityOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.date,
    publisher: 'CaraLoom',
    kind: 'instance',
    software: { name: 'CaraLoom Connect (connector)', version: options.version },
    implementation: { description: 'CaraLoom Connect FHIR intake: discharge referrals in, delivered durably to the CaraLoom Discharge API', url: options.base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Answers 202 Accepted with Content-Location (a status URL) once the referral is stored; Prefer: respond-sync waits for delivery and answers with the API\'s ServiceRequest.',
        security: { description: 'Authorization: Bearer <token> (connector.http.tokens, the same tokens as POST /hl7)' },
        resource: [
          {
            type: 'ServiceRequest',
            profile: 'http://hl7.org/fhir/StructureDefinition/ServiceRequest',
            interaction: [{ code: 'create', documentation: 'A discharge referral: status active, intent order, a subject, an ICD-10-CM reason, a ZIP' }],
            versioning: 'no-version',
            conditionalCreate: true,
            referencePolicy: ['literal', 'local'],
          },
        ],
        interaction: [
          { code: 'transaction', documentation: 'A Bundle with one ServiceRequest and the Patient, Encounter, Condition and Coverage it references (urn:uuid: fullUrls or relative references)' },
          { code: 'batch', documentation: 'As transaction: the Bundle is one referral, accepted or refused as a whole' },
        ],
      },
    ],
  };
}
