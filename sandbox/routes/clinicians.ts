import type Router from '@koa/router';
import type { SandboxDeps, SandboxState } from '../deps.js';
import type { Discipline } from '../domain.js';
import { searchClinicians, type ClinicianQuery } from '../clinicians/search.js';
import { isServiceState, lookupZip, normaliseZip } from '../geo.js';
import { sendData } from '../http/envelope.js';
import { clinicianJson } from '../views/native.js';
import { resolveDiagnosis } from '../vocab/diagnoses.js';
import { parameterError, readInteger, readQuery, type ParameterIssue } from './query.js';

const disciplines: readonly Discipline[] = ['RN', 'LPN', 'PT', 'OT', 'SLP', 'HHA', 'MSW'];

/** Parse `state, city, zip, diagnosis, discipline, limit`; 400 naming each bad one. */
export function parseClinicianQuery(query: Record<string, string | string[] | undefined>): ClinicianQuery {
  const issues: ParameterIssue[] = [];
  const raw = readQuery(query, ['state', 'city', 'zip', 'diagnosis', 'discipline', 'limit'], issues);
  const result: ClinicianQuery = { limit: readInteger(raw.limit, 'limit', 1, 100, 10, issues) };
  if (raw.state !== undefined) {
    const state = raw.state.trim().toUpperCase();
    if (isServiceState(state)) result.state = state;
    else issues.push({ parameter: 'state', message: 'must be a two-letter code of a US state or DC, such as TX' });
  }
  if (raw.city !== undefined) {
    if (raw.city.trim() === '' || raw.city.length > 100) issues.push({ parameter: 'city', message: 'must be 1 to 100 characters' });
    else result.city = raw.city;
  }
  if (raw.zip !== undefined) {
    const zip = normaliseZip(raw.zip);
    const place = zip === undefined ? undefined : lookupZip(zip);
    if (zip === undefined) issues.push({ parameter: 'zip', message: 'must be a 5-digit US ZIP code' });
    else if (place === undefined) issues.push({ parameter: 'zip', message: `unknown US ZIP code ${zip}` });
    else result.place = place;
  }
  if (raw.diagnosis !== undefined) {
    const diagnosis = resolveDiagnosis(raw.diagnosis);
    if (diagnosis === undefined) issues.push({ parameter: 'diagnosis', message: 'unknown diagnosis: use an ICD-10-CM code (I50.9) or a shorthand such as CHF, COPD, stroke, wound, diabetes' });
    else result.specialty = diagnosis.category;
  }
  if (raw.discipline !== undefined) {
    const discipline = raw.discipline.trim().toUpperCase() as Discipline;
    if (disciplines.includes(discipline)) result.discipline = discipline;
    else issues.push({ parameter: 'discipline', message: `must be one of: ${disciplines.join(', ')}` });
  }
  if (issues.length > 0) throw parameterError(issues);
  return result;
}

/** `GET /clinicians/search`: the de-identified demo workforce; total matches in `X-Total-Count`. */
export function addClinicianRoutes(router: Router<SandboxState>, deps: SandboxDeps): void {
  router.get('/clinicians/search', deps.protect, (ctx) => {
    const query = parseClinicianQuery(ctx.query);
    const { hits, total } = searchClinicians(deps.clinicians, query);
    ctx.set('X-Total-Count', String(total));
    sendData(ctx, deps.clock, 200, hits.map((hit) => clinicianJson(hit.clinician, hit.distanceMiles)));
  });
}
