import type { Address, Patient, Location, Reference, ServiceRequest } from 'fhir/r4.js';
import { findIcd10CmReason } from '../../core/fhir/icd10.js';
import type { IssueInput } from '../../core/fhir/outcome.js';
import type { ReferralInput } from '../domain.js';
import { resolveCareType } from '../vocab/care-types.js';
import { resolveDiagnosis } from '../vocab/diagnoses.js';
import { fhirIdPattern } from './ids.js';
import { careTypeSnomed } from './profiles.js';
import { keptElementsFrom } from './resources.js';

/**
 * A structurally valid R4 ServiceRequest → the referral it asks for. Pure:
 * every business problem is listed at once as an issue with a FHIRPath.
 *
 * Where each referral field comes from (documented in docs/sandbox-fhir.md):
 * - diagnosis: the first ICD-10-CM `reasonCode` coding, else a `reasonCode`
 *   text or coding display the sandbox knows (CHF, COPD, "heart failure"…);
 * - care type: `code` text / coding display / SNOMED code naming a care type,
 *   else `Home Health` (the referral is for home health by definition);
 * - ZIP: `address.postalCode` of a contained Location named by
 *   `locationReference`, else of a contained Patient named by `subject`,
 *   else `defaultReferralZip`;
 * - priority, `note` texts, first `identifier` value, `occurrence` date,
 *   `requester.display` as facility; `subject.display` as the patient display.
 */

/** ZIP used when the ServiceRequest names no address: Austin, TX, the public page's own example. */
export const defaultReferralZip = '78701';
export const defaultCareType = 'Home Health';

/** `intent` values that are orders; proposals, plans and options are not referrals. */
const orderIntents = new Set(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order']);

export interface IntakeResult {
  input?: ReferralInput;
  /** The ServiceRequest elements worth keeping for the FHIR view (no references, no contained PHI). */
  kept?: Record<string, unknown>;
  issues: IssueInput[];
  /** FHIRPath of each referral field's source, to name the element when the referral service refuses a value. */
  sources: Partial<Record<string, string>>;
}

function contained<T extends Patient | Location>(request: ServiceRequest, reference: Reference | undefined, type: T['resourceType']): { resource: T; index: number } | undefined {
  const ref = reference?.reference;
  if (ref === undefined || !ref.startsWith('#')) return undefined;
  const index = (request.contained ?? []).findIndex((entry) => entry.id === ref.slice(1) && entry.resourceType === type);
  return index < 0 ? undefined : { resource: request.contained![index] as T, index };
}

/** The first postal code of a list of addresses, home first. */
function postalCode(addresses: readonly Address[] | undefined, base: string): { zip: string; expression: string } | undefined {
  const list = (addresses ?? []).map((address, index) => ({ address, index })).filter((entry) => entry.address.postalCode !== undefined);
  const chosen = list.find((entry) => entry.address.use === 'home') ?? list[0];
  return chosen === undefined ? undefined : { zip: chosen.address.postalCode!, expression: `${base}.address[${chosen.index}].postalCode` };
}

function subjectPatientId(reference: string | undefined): string | undefined | null {
  if (reference === undefined || reference.startsWith('#')) return undefined;
  const match = /(?:^|\/)Patient\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(reference);
  if (match === null) return null;
  return fhirIdPattern.test(match[1]!) ? match[1] : undefined;
}

export function serviceRequestToInput(request: ServiceRequest): IntakeResult {
  const issues: IssueInput[] = [];
  const sources: Record<string, string> = {};
  if (request.status !== 'active') {
    issues.push({ code: 'business-rule', diagnostics: `a referral is created from an active order; status is ${request.status}`, expression: 'ServiceRequest.status' });
  }
  if (!orderIntents.has(request.intent)) {
    issues.push({ code: 'business-rule', diagnostics: `a referral is an order; intent ${request.intent} is not one (use order)`, expression: 'ServiceRequest.intent' });
  }
  if (request.doNotPerform === true) {
    issues.push({ code: 'business-rule', diagnostics: 'a request NOT to perform something cannot be a referral', expression: 'ServiceRequest.doNotPerform' });
  }

  const subject = request.subject;
  const containedPatient = contained<Patient>(request, subject, 'Patient');
  const patientId = subjectPatientId(subject?.reference);
  if (patientId === null) {
    issues.push({ code: 'business-rule', diagnostics: 'the subject of a referral must be a Patient', expression: 'ServiceRequest.subject' });
  } else if (subject?.reference?.startsWith('#') && containedPatient === undefined) {
    issues.push({ code: 'invalid', diagnostics: 'subject points at a contained resource that is not a contained Patient', expression: 'ServiceRequest.subject.reference' });
  }
  if (patientId !== undefined && patientId !== null) sources['patient.id'] = 'ServiceRequest.subject.reference';
  if (subject?.display !== undefined) sources['patient.display'] = 'ServiceRequest.subject.display';

  let diagnosis: string | undefined;
  const reason = findIcd10CmReason(request.reasonCode, 'ServiceRequest.reasonCode');
  if (reason.found !== undefined) {
    diagnosis = reason.found.code;
    sources.primaryDiagnosis = reason.found.expression;
  } else if (reason.malformed !== undefined) {
    issues.push({ code: 'code-invalid', diagnostics: 'not an ICD-10-CM code (expected a letter, two characters, then an optional dot and up to four more, e.g. I50.9)', expression: reason.malformed.expression });
  } else {
    const texts = (request.reasonCode ?? []).flatMap((concept, i) => [
      { text: concept.text, expression: `ServiceRequest.reasonCode[${i}].text` },
      ...(concept.coding ?? []).map((coding, j) => ({ text: coding.display, expression: `ServiceRequest.reasonCode[${i}].coding[${j}].display` })),
    ]);
    const known = texts.find((entry) => entry.text !== undefined && resolveDiagnosis(entry.text) !== undefined);
    if (known !== undefined) {
      diagnosis = known.text;
      sources.primaryDiagnosis = known.expression;
    } else {
      const why = (request.reasonCode?.length ?? 0) > 0
        ? 'reasonCode has no ICD-10-CM coding (system http://hl7.org/fhir/sid/icd-10-cm) and no text the sandbox recognises'
        : (request.reasonReference?.length ?? 0) > 0
          ? 'reasonReference is not enough: a referral needs a reasonCode with an ICD-10-CM coding'
          : 'a referral needs a reason: a reasonCode with an ICD-10-CM coding (system http://hl7.org/fhir/sid/icd-10-cm)';
      issues.push({ code: 'required', diagnostics: why, expression: 'ServiceRequest.reasonCode' });
    }
  }

  const careType = findCareType(request);
  if (careType.expression !== undefined) sources.careType = careType.expression;

  const location = contained<Location>(request, request.locationReference?.[0], 'Location');
  const zipSource =
    (location === undefined ? undefined : postalCode(location.resource.address === undefined ? [] : [location.resource.address], `ServiceRequest.contained[${location.index}]`)) ??
    (containedPatient === undefined ? undefined : postalCode(containedPatient.resource.address, `ServiceRequest.contained[${containedPatient.index}]`));
  if (zipSource !== undefined) sources.zip = zipSource.expression;
  if (request.priority !== undefined) sources.priority = 'ServiceRequest.priority';
  if (request.note !== undefined) sources.notes = 'ServiceRequest.note';
  if (request.identifier?.[0]?.value !== undefined) sources.externalId = 'ServiceRequest.identifier[0].value';
  const occurrence = request.occurrenceDateTime ?? request.occurrencePeriod?.start;
  if (occurrence !== undefined) sources.dischargeDate = request.occurrenceDateTime === undefined ? 'ServiceRequest.occurrencePeriod.start' : 'ServiceRequest.occurrenceDateTime';
  if (request.requester?.display !== undefined) sources.facility = 'ServiceRequest.requester.display';

  if (issues.length > 0 || diagnosis === undefined) return { issues, sources };
  const notes = (request.note ?? []).map((note) => note.text.trim()).filter((text) => text !== '').join('\n');
  const input: ReferralInput = {
    primaryDiagnosis: diagnosis,
    careType: careType.name,
    zip: zipSource?.zip ?? defaultReferralZip,
    priority: request.priority,
    dischargeDate: occurrence?.slice(0, 10),
    facility: request.requester?.display,
    externalId: request.identifier?.[0]?.value,
    notes: notes === '' ? undefined : notes,
    patient: { id: patientId ?? undefined, display: subject?.display },
  };
  return { input, kept: keptElementsFrom(request), issues, sources };
}

function findCareType(request: ServiceRequest): { name: string; expression?: string } {
  const code = request.code;
  const candidates = [
    { text: code?.text, expression: 'ServiceRequest.code.text' },
    ...(code?.coding ?? []).flatMap((coding, j) => [
      { text: coding.display, expression: `ServiceRequest.code.coding[${j}].display` },
      { text: coding.system === 'http://snomed.info/sct' ? snomedCareType(coding.code) : coding.code?.replace(/-/g, ' '), expression: `ServiceRequest.code.coding[${j}].code` },
    ]),
  ];
  for (const candidate of candidates) {
    const type = candidate.text === undefined ? undefined : resolveCareType(candidate.text);
    if (type !== undefined) return { name: type.name, expression: candidate.expression };
  }
  return { name: defaultCareType };
}

function snomedCareType(code: string | undefined): string | undefined {
  return Object.entries(careTypeSnomed).find(([, coding]) => coding.code === code)?.[0];
}
