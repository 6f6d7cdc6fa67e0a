import { CaraloomError } from '../../core/errors.js';
import type { Referral, ReferralInput } from '../domain.js';
import { resolveReferralInput, type InputIssue } from '../referral-input.js';

/**
 * The native referral body (snake_case) → ReferralInput, with every problem
 * listed in one 422 `REFERRAL_INVALID` by its native field name.
 */

const nativeNames: Record<InputIssue['field'], string> = {
  primaryDiagnosis: 'primary_diagnosis',
  careType: 'care_type',
  zip: 'zip',
  priority: 'priority',
  dischargeDate: 'discharge_date',
  facility: 'facility',
  externalId: 'external_id',
  notes: 'notes',
  patient: 'patient',
  'patient.id': 'patient.id',
  'patient.display': 'patient.display',
};

const stringFields = ['primary_diagnosis', 'care_type', 'zip', 'priority', 'discharge_date', 'facility', 'external_id', 'notes'] as const;
const known = new Set<string>([...stringFields, 'patient']);

export interface FieldIssue {
  field: string;
  message: string;
}

export function invalidReferral(issues: readonly FieldIssue[]): CaraloomError {
  return new CaraloomError('REFERRAL_INVALID', `referral is not valid: ${issues.map((issue) => issue.field).join(', ')}`, { status: 422, details: issues });
}

/** Rename a domain validation error's fields to native names (the service validates again). */
export function nativeFieldNames(error: CaraloomError): CaraloomError {
  if (error.code !== 'REFERRAL_INVALID' || !Array.isArray(error.details)) return error;
  return invalidReferral((error.details as InputIssue[]).map((issue) => ({ field: nativeNames[issue.field] ?? issue.field, message: issue.message })));
}

export function parseReferralBody(body: Record<string, unknown>): ReferralInput {
  const issues: FieldIssue[] = [];
  for (const name of Object.keys(body)) if (!known.has(name)) issues.push({ field: name, message: 'unknown field' });
  const strings: Partial<Record<(typeof stringFields)[number], string>> = {};
  for (const name of stringFields) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') issues.push({ field: name, message: `must be a string, got ${Array.isArray(value) ? 'array' : typeof value}` });
    else strings[name] = value;
  }
  let patient: ReferralInput['patient'];
  const rawPatient = body.patient;
  if (rawPatient !== undefined && rawPatient !== null) {
    if (typeof rawPatient !== 'object' || Array.isArray(rawPatient)) {
      issues.push({ field: 'patient', message: 'must be an object { id?, display? }' });
    } else {
      const { id, display, ...rest } = rawPatient as Record<string, unknown>;
      for (const name of Object.keys(rest)) issues.push({ field: `patient.${name}`, message: 'unknown field' });
      if (id !== undefined && id !== null && typeof id !== 'string') issues.push({ field: 'patient.id', message: 'must be a string' });
      if (display !== undefined && display !== null && typeof display !== 'string') issues.push({ field: 'patient.display', message: 'must be a string' });
      patient = { id: typeof id === 'string' ? id : undefined, display: typeof display === 'string' ? display : undefined };
    }
  }
  const input: ReferralInput = {
    primaryDiagnosis: strings.primary_diagnosis ?? '',
    careType: strings.care_type ?? '',
    zip: strings.zip ?? '',
    priority: strings.priority as Referral['priority'] | undefined,
    dischargeDate: strings.discharge_date,
    facility: strings.facility,
    externalId: strings.external_id,
    notes: strings.notes,
    patient,
  };
  // Domain checks for the fields whose type was right, so one answer lists everything.
  const resolved = resolveReferralInput(input);
  if (!resolved.ok) {
    const typed = new Set(issues.map((issue) => issue.field));
    for (const issue of resolved.issues) {
      const field = nativeNames[issue.field];
      if (!typed.has(field)) issues.push({ field, message: issue.message });
    }
  }
  if (issues.length > 0) throw invalidReferral(issues);
  return input;
}
