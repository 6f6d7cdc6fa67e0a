import type { Clinician, ClinicianMatch } from '../domain.js';
import { distanceMiles, type ZipPlace } from '../geo.js';
import type { CareType } from '../vocab/care-types.js';
import type { Diagnosis } from '../vocab/diagnoses.js';

/**
 * Choose and rank clinicians for a referral: a pure function of the
 * workforce, the care type, the diagnosis and the destination ZIP.
 *
 * Fit = 40 % discipline (care type → discipline, best first), 35 % specialty
 * (diagnosis → specialty), 25 % distance (inside the clinician's own service
 * radius counts most); clinicians whose service radius reaches the ZIP rank
 * first, then the nearest others up to 100 miles fill the list. Only verified clinicians accepting referrals qualify.
 */

export interface MatchRequest {
  careType: CareType;
  diagnosis: Diagnosis;
  place: ZipPlace;
  /** @default 5 */
  limit?: number;
}

/** How far beyond their service radius we still suggest someone when too few are inside it. */
const fallbackMiles = 100;

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export function matchClinicians(clinicians: readonly Clinician[], request: MatchRequest): ClinicianMatch[] {
  const limit = request.limit ?? 5;
  const { careType, diagnosis, place } = request;
  const scored: (ClinicianMatch & { inside: boolean })[] = [];
  for (const clinician of clinicians) {
    if (clinician.verification.status !== 'verified' || !clinician.acceptingReferrals) continue;
    const rank = careType.disciplines.indexOf(clinician.discipline);
    if (rank < 0) continue;
    const distance = distanceMiles(place, clinician.location);
    const inside = distance <= clinician.serviceRadiusMiles;
    if (!inside && distance > fallbackMiles) continue;
    const reasons: string[] = [];
    const disciplineFit = rank === 0 ? 1 : Math.max(0.5, 0.8 - 0.1 * (rank - 1));
    reasons.push(`${clinician.discipline} delivers ${careType.name}`);
    let specialtyFit = 0.5;
    if (diagnosis.category !== undefined) {
      specialtyFit = clinician.specialties.includes(diagnosis.category) ? 1 : 0;
      if (specialtyFit === 1) reasons.push(`${diagnosis.category} specialty fits ${diagnosis.code ?? diagnosis.input}`);
    }
    const distanceFit = inside ? 1 - distance / (2 * clinician.serviceRadiusMiles) : Math.max(0, 0.4 - distance / (2.5 * fallbackMiles));
    reasons.push(
      inside
        ? `${round(distance, 1)} mi away, inside a ${clinician.serviceRadiusMiles} mi service radius`
        : `${round(distance, 1)} mi away, beyond the usual ${clinician.serviceRadiusMiles} mi service radius`,
    );
    scored.push({
      clinicianId: clinician.id,
      displayName: clinician.displayName,
      discipline: clinician.discipline,
      specialties: clinician.specialties,
      distanceMiles: round(distance, 1),
      score: round(0.4 * disciplineFit + 0.35 * specialtyFit + 0.25 * distanceFit, 3),
      reasons,
      inside,
    });
  }
  // Someone who actually serves the ZIP always ranks above someone who would have to travel beyond their radius.
  scored.sort((a, b) => Number(b.inside) - Number(a.inside) || b.score - a.score || a.distanceMiles - b.distanceMiles || a.clinicianId.localeCompare(b.clinicianId));
  return scored.slice(0, limit).map(({ inside: _inside, ...match }) => match);
}
