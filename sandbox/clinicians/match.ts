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

/**
 * The workforce indexed for matching: the clinicians who can take referrals,
 * per discipline, sorted by latitude. Nobody more than `reach` miles of
 * latitude away can be inside their radius or within the fallback, so a
 * request scores only one latitude band of its disciplines (a few hundred of
 * 4,000) instead of computing every distance. Built once per workforce.
 */
interface Band {
  latitudes: Float64Array;
  clinicians: Clinician[];
}

const earthRadiusMiles = 3958.8;
const indexes = new WeakMap<readonly Clinician[], { reach: number; byDiscipline: Map<string, Band> }>();

function indexOf(clinicians: readonly Clinician[]): { reach: number; byDiscipline: Map<string, Band> } {
  let index = indexes.get(clinicians);
  if (index !== undefined) return index;
  const groups = new Map<string, Clinician[]>();
  let reach = fallbackMiles;
  for (const clinician of clinicians) {
    if (clinician.verification.status !== 'verified' || !clinician.acceptingReferrals) continue;
    reach = Math.max(reach, clinician.serviceRadiusMiles);
    let group = groups.get(clinician.discipline);
    if (group === undefined) {
      group = [];
      groups.set(clinician.discipline, group);
    }
    group.push(clinician);
  }
  const byDiscipline = new Map<string, Band>();
  for (const [discipline, group] of groups) {
    group.sort((a, b) => a.location.latitude - b.location.latitude);
    byDiscipline.set(discipline, { latitudes: Float64Array.from(group, (clinician) => clinician.location.latitude), clinicians: group });
  }
  index = { reach, byDiscipline };
  indexes.set(clinicians, index);
  return index;
}

/** First position whose latitude is ≥ `latitude`. */
function lowerBound(latitudes: Float64Array, latitude: number): number {
  let low = 0;
  let high = latitudes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (latitudes[middle]! < latitude) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Matching reads a clinician's verification and availability when the
 * workforce is first indexed: a workforce is never changed in place (the
 * demo one is generated once per process).
 */
export function matchClinicians(clinicians: readonly Clinician[], request: MatchRequest): ClinicianMatch[] {
  const limit = request.limit ?? 5;
  const { careType, diagnosis, place } = request;
  const { reach, byDiscipline } = indexOf(clinicians);
  // A great-circle distance is at least the latitude difference (in radians) × the earth's radius; a small margin for rounding.
  const band = (reach / earthRadiusMiles) * (180 / Math.PI) + 1e-6;
  const candidates: Clinician[] = [];
  for (const discipline of new Set(careType.disciplines)) {
    const group = byDiscipline.get(discipline);
    if (group === undefined) continue;
    const end = lowerBound(group.latitudes, place.latitude + band + Number.EPSILON);
    for (let i = lowerBound(group.latitudes, place.latitude - band); i < end; i++) candidates.push(group.clinicians[i]!);
  }
  // Scored first, explained only for the ones chosen.
  const scored: { clinician: Clinician; distance: number; distanceMiles: number; score: number; inside: boolean; specialtyFits: boolean }[] = [];
  for (const clinician of candidates) {
    const rank = careType.disciplines.indexOf(clinician.discipline);
    const distance = distanceMiles(place, clinician.location);
    const inside = distance <= clinician.serviceRadiusMiles;
    if (!inside && distance > fallbackMiles) continue;
    const disciplineFit = rank === 0 ? 1 : Math.max(0.5, 0.8 - 0.1 * (rank - 1));
    const specialtyFits = diagnosis.category !== undefined && clinician.specialties.includes(diagnosis.category);
    const specialtyFit = diagnosis.category === undefined ? 0.5 : specialtyFits ? 1 : 0;
    const distanceFit = inside ? 1 - distance / (2 * clinician.serviceRadiusMiles) : Math.max(0, 0.4 - distance / (2.5 * fallbackMiles));
    scored.push({ clinician, distance, distanceMiles: round(distance, 1), score: round(0.4 * disciplineFit + 0.35 * specialtyFit + 0.25 * distanceFit, 3), inside, specialtyFits });
  }
  // Someone who actually serves the ZIP always ranks above someone who would have to travel beyond their radius.
  scored.sort((a, b) => Number(b.inside) - Number(a.inside) || b.score - a.score || a.distanceMiles - b.distanceMiles || a.clinician.id.localeCompare(b.clinician.id));
  return scored.slice(0, limit).map(({ clinician, distanceMiles, score, inside, specialtyFits }) => {
    const reasons = [`${clinician.discipline} delivers ${careType.name}`];
    if (specialtyFits) reasons.push(`${diagnosis.category} specialty fits ${diagnosis.code ?? diagnosis.input}`);
    reasons.push(inside ? `${distanceMiles} mi away, inside a ${clinician.serviceRadiusMiles} mi service radius` : `${distanceMiles} mi away, beyond the usual ${clinician.serviceRadiusMiles} mi service radius`);
    return { clinicianId: clinician.id, displayName: clinician.displayName, discipline: clinician.discipline, specialties: clinician.specialties, distanceMiles, score, reasons };
  });
}
