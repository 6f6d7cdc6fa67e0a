import type { Clinician, Discipline } from '../domain.js';
import { serviceStates, serviceZips, type ZipPlace } from '../geo.js';
import { specialties, type Specialty } from '../vocab/diagnoses.js';

/**
 * The de-identified demo workforce, generated from a seed: the same seed and
 * ZIP data give the same clinicians every run, so they are never stored (the
 * JSON store would otherwise rewrite a megabyte on every referral).
 */

/** mulberry32: a tiny, well-distributed 32-bit PRNG; deterministic by seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rough share of each discipline in home health (RN-heavy, as agencies are). */
const disciplineWeights: readonly [Discipline, number][] = [
  ['RN', 32], ['LPN', 14], ['PT', 16], ['OT', 10], ['SLP', 6], ['HHA', 16], ['MSW', 6],
];

/**
 * Specialties each discipline may hold (an SLP treats stroke, not wounds),
 * weighted by how often home-health referrals need them (heart failure,
 * COPD, wounds and diabetes lead).
 */
const specialtiesByDiscipline: Record<Discipline, readonly (readonly [Specialty, number])[]> = {
  RN: [['cardiac', 5], ['pulmonary', 4], ['wound', 4], ['diabetes', 3], ['neuro', 2], ['oncology', 1], ['renal', 1], ['infection', 1], ['palliative', 1], ['dementia', 1]],
  LPN: [['wound', 3], ['diabetes', 3], ['cardiac', 2], ['pulmonary', 2], ['dementia', 1]],
  PT: [['orthopedic', 4], ['neuro', 3], ['cardiac', 1], ['pulmonary', 1]],
  OT: [['orthopedic', 3], ['neuro', 3], ['dementia', 1]],
  SLP: [['neuro', 4], ['dementia', 2], ['oncology', 1]],
  HHA: [['dementia', 2], ['palliative', 1], ['general', 2]],
  MSW: [['palliative', 2], ['oncology', 1], ['dementia', 1]],
};

const otherLanguages = ['Spanish', 'Spanish', 'Spanish', 'Vietnamese', 'Tagalog', 'Mandarin', 'Cantonese', 'Korean', 'Arabic', 'Haitian Creole', 'Russian', 'Portuguese', 'French', 'Polish', 'Hindi'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function weighted<T>(random: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [item, weight] of items) {
    roll -= weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1]![0];
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A state's cities, weighted by the square of their ZIP count: clinicians
 * cluster where people live, and a city's ZIP count is the best proxy for
 * population the ZIP data offers (Houston has ~150 ZIPs, a town one).
 */
function citiesOf(zips: readonly ZipPlace[]): [ZipPlace[], number][] {
  const byCity = new Map<string, ZipPlace[]>();
  for (const place of zips) {
    const list = byCity.get(place.city) ?? [];
    list.push(place);
    byCity.set(place.city, list);
  }
  return [...byCity.values()].map((list) => [list, list.length ** 2]);
}

/** How many clinicians each state gets: a floor for the smallest, the rest by ZIP count. */
function allocate(total: number, zipsByState: Map<string, ZipPlace[]>): Map<string, number> {
  const floor = Math.max(1, Math.floor(total / serviceStates.length / 3));
  const remaining = total - floor * serviceStates.length;
  const allZips = [...zipsByState.values()].reduce((sum, zips) => sum + zips.length, 0);
  const counts = new Map<string, number>();
  let given = 0;
  for (const state of serviceStates) {
    const share = Math.floor((remaining * (zipsByState.get(state)?.length ?? 0)) / allZips);
    counts.set(state, floor + share);
    given += floor + share;
  }
  // Rounding leftovers go to the states in list order: still deterministic.
  for (let index = 0; given < total; index = (index + 1) % serviceStates.length, given++) {
    const state = serviceStates[index]!;
    counts.set(state, counts.get(state)! + 1);
  }
  return counts;
}

/**
 * Generate `total` clinicians across the 50 states and DC from `seed`.
 * `epoch` anchors verification dates (fixed, so data is identical every run).
 */
export function generateClinicians(seed: number, total: number, epoch = Date.UTC(2026, 0, 1)): Clinician[] {
  const random = seededRandom(seed);
  const zipsByState = new Map<string, ZipPlace[]>();
  for (const place of serviceZips()) {
    const list = zipsByState.get(place.state) ?? [];
    list.push(place);
    zipsByState.set(place.state, list);
  }
  const counts = allocate(total, zipsByState);
  const clinicians: Clinician[] = [];
  const day = 86_400_000;
  for (const state of serviceStates) {
    const cities = citiesOf(zipsByState.get(state) ?? []);
    for (let n = 0; n < counts.get(state)! && cities.length > 0; n++) {
      const number = clinicians.length + 1;
      const place = pick(random, weighted(random, cities));
      const discipline = weighted(random, disciplineWeights);
      const pool = specialtiesByDiscipline[discipline];
      const held = [...new Set([weighted(random, pool), weighted(random, pool), ...(random() < 0.5 ? [weighted(random, pool)] : [])])].filter((value) => specialties.includes(value));
      const languages = ['English', ...(random() < 0.35 ? [pick(random, otherLanguages)] : [])];
      const verified = random() < 0.93;
      const verifiedAt = epoch - Math.floor(random() * 700) * day;
      const licenseDigits = String(Math.floor(random() * 1000)).padStart(3, '0');
      clinicians.push({
        id: `clin_${String(number).padStart(5, '0')}`,
        displayName: `Clinician ${String(number).padStart(4, '0')}, ${discipline}`,
        discipline,
        specialties: held,
        languages,
        license: {
          state,
          number: `${discipline}-•••••${licenseDigits}`,
          verified,
          verifiedAt: isoDate(verifiedAt),
          expiresAt: isoDate(verifiedAt + (365 + Math.floor(random() * 730)) * day),
        },
        verification: { status: verified ? 'verified' : 'pending', backgroundCheckAt: isoDate(verifiedAt - Math.floor(random() * 60) * day) },
        location: { zip: place.zip, city: place.city, state: place.state, latitude: place.latitude, longitude: place.longitude },
        serviceRadiusMiles: pick(random, [10, 15, 20, 25, 30, 40, 50, 60]),
        acceptingReferrals: random() < 0.85,
      });
    }
  }
  return clinicians;
}
