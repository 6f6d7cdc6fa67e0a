import type Router from '@koa/router';
import { CaraloomError } from '../../core/errors.js';
import type { SandboxDeps, SandboxState } from '../deps.js';
import type { Clinician } from '../domain.js';
import { distanceMiles, isServiceState, lookupZip, normaliseZip, type ZipPlace } from '../geo.js';
import { sendData } from '../http/envelope.js';

/** The nearest city where a demo clinician is based, and how many clinicians reach the ZIP. */
export function serviceArea(clinicians: readonly Clinician[], place: ZipPlace): { nearest?: { clinician: Clinician; miles: number }; inRange: number } {
  let nearest: { clinician: Clinician; miles: number } | undefined;
  let inRange = 0;
  for (const clinician of clinicians) {
    const miles = distanceMiles(place, clinician.location);
    if (miles <= clinician.serviceRadiusMiles) inRange++;
    if (nearest === undefined || miles < nearest.miles) nearest = { clinician, miles };
  }
  return nearest === undefined ? { inRange } : { nearest, inRange };
}

/** `GET /geo/zip/:zip`: 400 when malformed, 404 when the ZIP data does not know it. */
export function addGeoRoutes(router: Router<SandboxState>, deps: SandboxDeps): void {
  router.get('/geo/zip/:zip', deps.protect, (ctx) => {
    const zip = normaliseZip(ctx.params.zip ?? '');
    if (zip === undefined) throw new CaraloomError('ZIP_MALFORMED', 'zip must be a 5-digit US ZIP code', { status: 400, details: [{ parameter: 'zip', message: 'must be a 5-digit US ZIP code' }] });
    const place = lookupZip(zip);
    if (place === undefined) throw new CaraloomError('ZIP_NOT_FOUND', `unknown US ZIP code ${zip}`, { status: 404 });
    const area = serviceArea(deps.clinicians, place);
    sendData(ctx, deps.clock, 200, {
      zip: place.zip,
      city: place.city,
      state: place.state,
      latitude: place.latitude,
      longitude: place.longitude,
      in_service_area: isServiceState(place.state),
      nearest_service_city:
        area.nearest === undefined
          ? null
          : { city: area.nearest.clinician.location.city, state: area.nearest.clinician.location.state, distance_miles: Math.round(area.nearest.miles * 10) / 10 },
      clinicians_in_range: area.inRange,
    });
  });
}
