import type { Clinician, ClinicianMatch, Referral, WebhookRegistration } from '../domain.js';

/**
 * The native JSON view (snake_case, as the public API page's bodies are).
 * Used by the native router and as the `data` of webhook events.
 */

export function matchJson(match: ClinicianMatch): Record<string, unknown> {
  return {
    clinician_id: match.clinicianId,
    display_name: match.displayName,
    discipline: match.discipline,
    specialties: match.specialties,
    distance_miles: match.distanceMiles,
    score: match.score,
    reasons: match.reasons,
  };
}

export function referralJson(referral: Referral): Record<string, unknown> {
  return {
    id: referral.id,
    status: referral.status,
    primary_diagnosis: {
      input: referral.primaryDiagnosis.input,
      code: referral.primaryDiagnosis.code ?? null,
      display: referral.primaryDiagnosis.display,
      category: referral.primaryDiagnosis.category ?? null,
    },
    care_type: referral.careType,
    zip: referral.zip,
    city: referral.city ?? null,
    state: referral.state ?? null,
    priority: referral.priority,
    discharge_date: referral.dischargeDate ?? null,
    facility: referral.facility ?? null,
    external_id: referral.externalId ?? null,
    notes: referral.notes ?? null,
    patient: { id: referral.patient.id, display: referral.patient.display ?? null },
    encounter_id: referral.encounterId,
    matches: referral.matches.map(matchJson),
    source: referral.source,
    created_at: referral.createdAt,
    updated_at: referral.updatedAt,
  };
}

export function clinicianJson(clinician: Clinician, distanceMiles?: number): Record<string, unknown> {
  return {
    id: clinician.id,
    display_name: clinician.displayName,
    discipline: clinician.discipline,
    specialties: clinician.specialties,
    languages: clinician.languages,
    license: {
      state: clinician.license.state,
      number: clinician.license.number,
      verified: clinician.license.verified,
      verified_at: clinician.license.verifiedAt,
      expires_at: clinician.license.expiresAt,
    },
    verification: { status: clinician.verification.status, background_check_at: clinician.verification.backgroundCheckAt },
    location: { zip: clinician.location.zip, city: clinician.location.city, state: clinician.location.state },
    service_radius_miles: clinician.serviceRadiusMiles,
    accepting_referrals: clinician.acceptingReferrals,
    ...(distanceMiles === undefined ? {} : { distance_miles: distanceMiles }),
  };
}

/** A registration as listed: never the secret. */
export function webhookJson(registration: WebhookRegistration): Record<string, unknown> {
  return { id: registration.id, url: registration.url, events: registration.events, created_at: registration.createdAt };
}
