import type { ServiceRequest } from 'fhir/r4.js';
import { CaraloomError } from '../../core/errors.js';
import { FhirOutcomeError, type IssueInput } from '../../core/fhir/outcome.js';
import { validateFhirResource } from '../../core/fhir/validate.js';
import type { Referral } from '../domain.js';
import type { InputIssue } from '../referral-input.js';
import type { ReferralService } from '../referrals.js';
import { serviceRequestToInput } from './intake.js';

/**
 * `POST ServiceRequest`: 400 for what is not a ServiceRequest at all, 422 for
 * one that fails R4 validation or cannot be a referral (every reason listed,
 * each with a FHIRPath), then the same `ReferralService.create` the native
 * door calls, so `referral.created` fires identically.
 */

export interface CreateFromFhirOptions {
  keyId: string;
  idempotencyKey?: string | undefined;
}

export async function createFromServiceRequest(referrals: ReferralService, body: unknown, options: CreateFromFhirOptions): Promise<{ referral: Referral; replayed: boolean }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FhirOutcomeError('BODY_NOT_OBJECT', 400, [{ code: 'structure', diagnostics: 'request body must be a JSON object (a ServiceRequest)' }]);
  }
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (resourceType !== 'ServiceRequest') {
    const got = typeof resourceType === 'string' ? resourceType.slice(0, 64) : 'none';
    throw new FhirOutcomeError('WRONG_RESOURCE_TYPE', 400, [{ code: 'invalid', diagnostics: `expected resourceType ServiceRequest, got ${got}`, expression: 'resourceType' }]);
  }
  const validation = validateFhirResource(body, 'ServiceRequest');
  if (!validation.valid) throw new FhirOutcomeError('FHIR_INVALID', 422, validation.issues);
  const intake = serviceRequestToInput(body as ServiceRequest);
  if (intake.input === undefined) throw new FhirOutcomeError('REFERRAL_INVALID', 422, intake.issues);
  try {
    return await referrals.create(intake.input, { keyId: options.keyId, idempotencyKey: options.idempotencyKey, source: 'fhir', fhir: intake.kept });
  } catch (error) {
    if (error instanceof CaraloomError && error.code === 'REFERRAL_INVALID' && Array.isArray(error.details)) {
      const issues: IssueInput[] = (error.details as InputIssue[]).map((entry) => ({
        code: 'value',
        diagnostics: `${entry.field} ${entry.message}`,
        expression: intake.sources[entry.field] ?? 'ServiceRequest',
      }));
      throw new FhirOutcomeError('REFERRAL_INVALID', 422, issues, error);
    }
    if (error instanceof CaraloomError && error.status === 409) {
      throw new FhirOutcomeError(error.code, 409, [{ code: 'conflict', diagnostics: error.message }], error);
    }
    throw error;
  }
}
