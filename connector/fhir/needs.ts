/**
 * What a referral needs beyond being valid R4 (checked before anything is
 * stored, every problem listed at once with its FHIRPath): an active order
 * for a patient, a reason the API can read as an ICD-10-CM code, and a ZIP.
 * Pure.
 */
import type { CodeableConcept } from 'fhir/r4.js';
import { findIcd10CmReason, icd10CmSystem } from '../../core/fhir/icd10.js';
import type { IssueInput } from '../../core/fhir/outcome.js';
import type { FhirReferralInput } from './input.js';

/** R4 request-intent codes that are orders; proposals and plans are not referrals yet. */
const orderIntents = new Set(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order']);

export interface Diagnosis {
  code: string;
  display?: string | undefined;
  /** FHIRPath of the coding's code in the posted body. */
  expression: string;
  /** The CodeableConcept it came from, when it came from a Condition (the FHIR target copies it to reasonCode). */
  fromCondition?: CodeableConcept | undefined;
}

/** The ICD-10-CM reason: `reasonCode` first, then the Conditions `reasonReference` names. */
export function findDiagnosis(input: FhirReferralInput, issues: IssueInput[]): Diagnosis | undefined {
  const sr = input.request.resource;
  const base = input.request.path;
  const direct = findIcd10CmReason(sr.reasonCode, `${base}.reasonCode`);
  if (direct.found !== undefined) return direct.found;
  if (direct.malformed !== undefined) {
    issues.push({ code: 'code-invalid', diagnostics: 'not an ICD-10-CM code (a letter, two characters, then an optional dot and up to four more, e.g. I50.9)', expression: direct.malformed.expression });
    return undefined;
  }
  for (const condition of input.conditions) {
    const code = condition.resource.code;
    const found = findIcd10CmReason(code === undefined ? [] : [code], `${condition.path}.code`);
    if (found.found !== undefined) return { ...found.found, expression: found.found.expression.replace(/\.code\[0\]/, '.code'), fromCondition: code };
    if (found.malformed !== undefined) {
      issues.push({ code: 'code-invalid', diagnostics: 'not an ICD-10-CM code (e.g. I50.9)', expression: found.malformed.expression.replace(/\.code\[0\]/, '.code') });
      return undefined;
    }
  }
  const unresolved = (sr.reasonReference?.length ?? 0) > input.conditions.length;
  const why =
    input.conditions.length > 0
      ? `the referenced Condition has no ICD-10-CM coding (system ${icd10CmSystem})`
      : unresolved
        ? 'reasonReference names a Condition that is not in the Bundle or contained: send it along, or put the ICD-10-CM code in reasonCode'
        : (sr.reasonCode?.length ?? 0) > 0
          ? `reasonCode has no ICD-10-CM coding (system ${icd10CmSystem})`
          : `a referral needs a reason: a reasonCode with an ICD-10-CM coding (system ${icd10CmSystem}) or a reasonReference to a Condition that has one`;
  const where = input.conditions[0] !== undefined ? `${input.conditions[0].path}.code` : unresolved ? `${base}.reasonReference[0]` : `${base}.reasonCode`;
  issues.push({ code: 'required', diagnostics: why, expression: where });
  return undefined;
}

/** Status, intent, doNotPerform and subject; the reason and ZIP are checked with the mapping. */
export function checkOrder(input: FhirReferralInput, issues: IssueInput[]): void {
  const sr = input.request.resource;
  const at = (element: string) => `${input.request.path}.${element}`;
  if (sr.status !== 'active') {
    issues.push({ code: 'business-rule', diagnostics: `a referral is made from an active order; status is ${String(sr.status).slice(0, 32)}`, expression: at('status') });
  }
  if (!orderIntents.has(sr.intent)) {
    issues.push({ code: 'business-rule', diagnostics: `a referral is an order; intent ${String(sr.intent).slice(0, 32)} is not one (use order)`, expression: at('intent') });
  }
  if (sr.doNotPerform === true) {
    issues.push({ code: 'business-rule', diagnostics: 'a request NOT to perform something cannot be a referral', expression: at('doNotPerform') });
  }
  const subject = sr.subject;
  if (subject === undefined || (subject.reference === undefined && subject.display === undefined && subject.identifier === undefined)) {
    issues.push({ code: 'required', diagnostics: 'a referral needs a subject: a reference to the Patient (or at least an identifier or display)', expression: at('subject') });
  } else if (subject.reference !== undefined && input.patient === undefined && !/(^|\/)Patient\/[^/]+(\/_history\/[^/]+)?$/.test(subject.reference) && !subject.reference.startsWith('#') && !subject.reference.startsWith('urn:')) {
    issues.push({ code: 'business-rule', diagnostics: 'the subject of a referral must be a Patient', expression: at('subject.reference') });
  }
}

/** The ZIP problem, phrased for where the sender can fix it. */
export function missingZip(input: FhirReferralInput): IssueInput {
  const where = input.patient === undefined ? `${input.request.path}.subject` : `${input.patient.path}.address`;
  const why = input.patient === undefined
    ? 'no ZIP for the referral: send the Patient (in the Bundle or contained) with address.postalCode, or set a default ZIP in the mapping file'
    : 'no ZIP for the referral: the Patient has no address.postalCode and the mapping file sets no default';
  return { code: 'required', diagnostics: why, expression: where };
}
