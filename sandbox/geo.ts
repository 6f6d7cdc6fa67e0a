import zipcodes from 'zipcodes';

/**
 * Real US ZIP data (the maintained `zipcodes` package), narrowed to what the
 * sandbox needs: 5-digit US ZIPs with coordinates, and great-circle distance.
 */

export interface ZipPlace {
  zip: string;
  city: string;
  state: string;
  latitude: number;
  longitude: number;
}

/** Where the demo workforce practises: the 50 states and DC. */
export const serviceStates: readonly string[] = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME', 'MD',
  'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD',
  'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY',
];

const serviceStateSet = new Set(serviceStates);

export const zipPattern = /^\d{5}$/;

/** A 5-digit US ZIP (ZIP+4 is cut to its first five digits), or undefined when malformed. */
export function normaliseZip(value: string): string | undefined {
  const match = /^(\d{5})(?:-\d{4})?$/.exec(value.trim());
  return match?.[1];
}

/** The place of a well-formed ZIP, or undefined when the data does not know it. */
export function lookupZip(zip: string): ZipPlace | undefined {
  if (!zipPattern.test(zip)) return undefined;
  const entry = zipcodes.codes[zip];
  // Some entries carry no coordinates (0, 0): useless for distances, so unknown here.
  if (entry === undefined || entry.country !== 'US' || !entry.latitude || !entry.longitude) return undefined;
  return { zip: entry.zip, city: entry.city, state: entry.state, latitude: entry.latitude, longitude: entry.longitude };
}

export function isServiceState(state: string): boolean {
  return serviceStateSet.has(state);
}

/** Every ZIP with coordinates in a service state, sorted by ZIP (stable across runs). */
export function serviceZips(): ZipPlace[] {
  const places: ZipPlace[] = [];
  for (const zip of Object.keys(zipcodes.codes).sort()) {
    const place = lookupZip(zip);
    if (place !== undefined && serviceStateSet.has(place.state)) places.push(place);
  }
  return places;
}

const earthRadiusMiles = 3958.8;

/** Great-circle (haversine) distance in miles. */
export function distanceMiles(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusMiles * Math.asin(Math.min(1, Math.sqrt(h)));
}
