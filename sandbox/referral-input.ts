import type { Referral, ReferralInput } from './domain.js';
import { lookupZip, normaliseZip, type ZipPlace } from './geo.js';
import { careTypeNames, resolveCareType, type CareType } from './vocab/care-types.js';
import { diagnosisShorthand, resolveDiagnosis, type Diagnosis } from './vocab/diagnoses.js';

/**
 * Domain validation of a referral, shared by both doors: every problem is
 * listed at once, by `ReferralInput` field name (the native door renames
 * them to snake_case, the FHIR door to FHIRPath expressions).
 */

export interface InputIssue {
  field: keyof ReferralInput | 'patient.id' | 'patient.display';
  message: string;
}

export interface ResolvedReferral {
  /** The input, trimmed and normalised (ZIP+4 cut to five digits). */
  input: ReferralInput;
  diagnosis: Diagnosis;
  careType: CareType;
  place: ZipPlace;
}

export const priorities: readonly Referral['priority'][] = ['routine', 'urgent', 'asap', 'stat'];

/** FHIR `id` shape, which every patient id must also fit so both views can show it. */
const patientIdPattern = /^[A-Za-z0-9\-.]{1,64}$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

export function isValidDate(value: string): boolean {
  if (!datePattern.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function text(value: string | undefined, max: number, field: InputIssue['field'], issues: InputIssue[]): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.length > max) issues.push({ field, message: `must be at most ${max} characters` });
  return trimmed === '' ? undefined : trimmed;
}

export function resolveReferralInput(raw: ReferralInput): { ok: true; value: ResolvedReferral } | { ok: false; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const diagnosisText = raw.primaryDiagnosis?.trim() ?? '';
  const diagnosis = diagnosisText === '' ? undefined : resolveDiagnosis(diagnosisText);
  if (diagnosisText === '') issues.push({ field: 'primaryDiagnosis', message: 'is required' });
  else if (diagnosisText.length > 200) issues.push({ field: 'primaryDiagnosis', message: 'must be at most 200 characters' });
  else if (diagnosis === undefined) issues.push({ field: 'primaryDiagnosis', message: `unknown diagnosis: use an ICD-10-CM code (I50.9) or a shorthand such as ${diagnosisShorthand.slice(0, 8).join(', ')}` });

  const careType = raw.careType?.trim() ? resolveCareType(raw.careType) : undefined;
  if (!raw.careType?.trim()) issues.push({ field: 'careType', message: 'is required' });
  else if (careType === undefined) issues.push({ field: 'careType', message: `must be one of: ${careTypeNames.join(', ')}` });

  const zip = raw.zip === undefined ? undefined : normaliseZip(raw.zip);
  const place = zip === undefined ? undefined : lookupZip(zip);
  if (!raw.zip?.trim()) issues.push({ field: 'zip', message: 'is required' });
  else if (zip === undefined) issues.push({ field: 'zip', message: 'must be a 5-digit US ZIP code' });
  else if (place === undefined) issues.push({ field: 'zip', message: `unknown US ZIP code ${zip}` });

  if (raw.priority !== undefined && !priorities.includes(raw.priority)) issues.push({ field: 'priority', message: `must be one of: ${priorities.join(', ')}` });
  if (raw.dischargeDate !== undefined && !isValidDate(raw.dischargeDate)) issues.push({ field: 'dischargeDate', message: 'must be a date as YYYY-MM-DD' });
  const facility = text(raw.facility, 200, 'facility', issues);
  const externalId = text(raw.externalId, 128, 'externalId', issues);
  const notes = text(raw.notes, 2000, 'notes', issues);
  const patientId = raw.patient?.id?.trim() || undefined;
  if (patientId !== undefined && !patientIdPattern.test(patientId)) issues.push({ field: 'patient.id', message: 'must be 1 to 64 letters, digits, "-" or "."' });
  const patientDisplay = text(raw.patient?.display, 200, 'patient.display', issues);

  if (issues.length > 0 || diagnosis === undefined || careType === undefined || place === undefined) return { ok: false, issues };
  const patient = patientId === undefined && patientDisplay === undefined ? undefined : { id: patientId, display: patientDisplay };
  const input: ReferralInput = {
    primaryDiagnosis: diagnosisText,
    careType: careType.name,
    zip: place.zip,
    priority: raw.priority,
    dischargeDate: raw.dischargeDate,
    facility,
    externalId,
    notes,
    patient,
  };
  return { ok: true, value: { input, diagnosis, careType, place } };
}
