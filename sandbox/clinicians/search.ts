import type { Clinician, Discipline } from '../domain.js';
import { distanceMiles, type ZipPlace } from '../geo.js';
import type { Specialty } from '../vocab/diagnoses.js';

/** A validated clinician search (the router turns query parameters into this). */
export interface ClinicianQuery {
  state?: string | undefined;
  /** Compared case-insensitively with the clinician's home city. */
  city?: string | undefined;
  /** Clinicians whose service radius reaches this place, nearest first. */
  place?: ZipPlace | undefined;
  specialty?: Specialty | undefined;
  discipline?: Discipline | undefined;
  limit: number;
}

export interface ClinicianHit {
  clinician: Clinician;
  /** Present when the query named a ZIP. */
  distanceMiles?: number | undefined;
}

/** Pure search over the demo workforce; results are stable (by distance, then id). */
export function searchClinicians(clinicians: readonly Clinician[], query: ClinicianQuery): { hits: ClinicianHit[]; total: number } {
  const city = query.city?.trim().toLowerCase();
  const hits: ClinicianHit[] = [];
  for (const clinician of clinicians) {
    if (query.state !== undefined && clinician.location.state !== query.state) continue;
    if (city !== undefined && clinician.location.city.toLowerCase() !== city) continue;
    if (query.specialty !== undefined && !clinician.specialties.includes(query.specialty)) continue;
    if (query.discipline !== undefined && clinician.discipline !== query.discipline) continue;
    if (query.place !== undefined) {
      const distance = distanceMiles(query.place, clinician.location);
      if (distance > clinician.serviceRadiusMiles) continue;
      hits.push({ clinician, distanceMiles: Math.round(distance * 10) / 10 });
    } else {
      hits.push({ clinician });
    }
  }
  if (query.place !== undefined) hits.sort((a, b) => a.distanceMiles! - b.distanceMiles! || a.clinician.id.localeCompare(b.clinician.id));
  return { hits: hits.slice(0, query.limit), total: hits.length };
}
