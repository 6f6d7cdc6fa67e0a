import type { Referral } from '../domain.js';
import type { ReferralService } from '../referrals.js';
import { nativeIdCandidates } from './ids.js';

/**
 * Finding referrals by the ids the FHIR view shows: a ServiceRequest id is
 * the referral id, an Encounter id its encounter id, a Patient id its patient
 * id. Every lookup is scoped to the caller's key, as on the native side. The
 * store holds at most `sandbox.maxReferrals` referrals, so scanning is cheap.
 */
export class ReferralLookup {
  constructor(private readonly referrals: ReferralService) {}

  /** Every referral of a key, newest first. */
  all(keyId: string): Referral[] {
    return this.referrals.list({ keyId, count: Number.MAX_SAFE_INTEGER }).items;
  }

  byServiceRequestId(keyId: string, fhirId: string): Referral | undefined {
    for (const id of nativeIdCandidates(fhirId)) {
      const referral = this.referrals.get(id, keyId);
      if (referral !== undefined) return referral;
    }
    return undefined;
  }

  byEncounterId(keyId: string, fhirId: string): Referral | undefined {
    const ids = new Set(nativeIdCandidates(fhirId));
    return this.all(keyId).find((referral) => ids.has(referral.encounterId));
  }

  /** The newest referral of a patient: the Patient view is built from it. */
  byPatientId(keyId: string, fhirId: string): Referral | undefined {
    const ids = new Set(nativeIdCandidates(fhirId));
    return this.all(keyId).find((referral) => ids.has(referral.patient.id));
  }
}
