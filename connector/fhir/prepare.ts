/**
 * `prepareReferral(body, options)`: what the FHIR door does before anything
 * is stored, as one pure function — R4 validation (400), gathering the
 * ServiceRequest and what it references, the referral needs and the
 * mapping (422), then the request to send and the keys to store it under.
 * Every refusal is a FhirOutcomeError whose issues carry FHIRPaths.
 */
import { createHash } from 'node:crypto';
import type { Bundle, OperationOutcomeIssue, ServiceRequest } from 'fhir/r4.js';
import { FhirOutcomeError, type IssueInput } from '../../core/fhir/outcome.js';
import { validateFhirResource } from '../../core/fhir/validate.js';
import type { ItemMeta } from '../../core/journal/types.js';
import { compact, setPath } from '../mapping/json-path.js';
import { targetPaths, type IdentifierField, type OutboundRequest } from '../mapping/map.js';
import { ephemeralPseudonymKey } from '../delivery/pseudonym-key.js';
import { patientKey } from '../outbox.js';
import { deidentifyServiceRequest } from './deidentify.js';
import { environmentOf, evaluateField } from './fields.js';
import { firstText } from './fhirpath.js';
import { fromBundle, fromServiceRequest, type FhirReferralInput } from './input.js';
import type { FhirMapping } from './mapping-compile.js';
import { checkOrder, findDiagnosis, missingZip } from './needs.js';
import { passthroughServiceRequest } from './passthrough.js';

export interface PrepareOptions {
  /** `ServiceRequest` for `POST /fhir/ServiceRequest`, `Bundle` for `POST /fhir`. */
  kind: 'ServiceRequest' | 'Bundle';
  mappings: readonly FhirMapping[];
  /** Strip direct identifiers from a `fhir`-target request (a sandbox key). @default false */
  deidentify?: boolean;
  /**
   * The install's pseudonym key (connector/delivery/pseudonym-key.ts), for
   * pseudonyms and the per-patient order key. @default a random key for this
   * process only (dry runs, tests): pseudonyms and order keys then change at
   * every start, so the service always passes its own.
   */
  pseudonymKey?: Buffer | undefined;
  /** The `If-None-Exist` header (`identifier=system|value`); in a Bundle, the ServiceRequest entry's `request.ifNoneExist` counts too. */
  ifNoneExist?: string | undefined;
}

export interface PreparedReferral {
  mapping: { name: string; file: string };
  request: OutboundRequest;
  /** Native-target fields a sandbox key never receives as they are (applied at delivery, as for HL7 v2). */
  identifiers: IdentifierField[];
  /** Journal key: a repeat with the same key is not queued twice. */
  key: string;
  /** `Idempotency-Key` sent to the API (a hash: identifiers are not sent in headers). */
  idempotencyKey: string;
  /** Per-patient ordering key (hashed), when the mapping names the patient. */
  orderKey?: string | undefined;
  /** True when the key came from `If-None-Exist`. */
  conditional: boolean;
  meta: ItemMeta;
  input: FhirReferralInput;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `If-None-Exist: identifier=system|value` → `system|value`; only `identifier` can be honoured without a search. */
export function parseIfNoneExist(header: string): string {
  const params = new URLSearchParams(header.replace(/^\?/, ''));
  const names = [...new Set(params.keys())];
  const identifier = params.get('identifier');
  if (names.length !== 1 || identifier === null || identifier.trim() === '') {
    throw new FhirOutcomeError('CONDITION_NOT_SUPPORTED', 400, [{ code: 'not-supported', diagnostics: 'If-None-Exist supports one search parameter here: identifier=system|value' }]);
  }
  return identifier.trim();
}

function refuse(code: string, status: number, issues: readonly (IssueInput | OperationOutcomeIssue)[]): never {
  throw new FhirOutcomeError(code, status, issues);
}

function selectMapping(mappings: readonly FhirMapping[], input: FhirReferralInput): FhirMapping | undefined {
  const env = environmentOf(input);
  const ordered = [...mappings].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  return ordered.find((mapping) => mapping.when === undefined || mapping.when.evaluate(input.request.resource, env)[0] === true);
}

export function prepareReferral(body: unknown, options: PrepareOptions): PreparedReferral {
  const header = options.ifNoneExist === undefined ? undefined : parseIfNoneExist(options.ifNoneExist);
  const validation = validateFhirResource(body, options.kind);
  if (!validation.valid) refuse('FHIR_INVALID', 400, validation.issues.filter((entry) => entry.severity === 'error' || entry.severity === 'fatal'));
  const issues: IssueInput[] = [];
  const input = options.kind === 'Bundle' ? fromBundle(body as Bundle, issues) : fromServiceRequest(body as ServiceRequest, issues);
  if (input === undefined) refuse('BUNDLE_NOT_A_REFERRAL', 422, issues);
  const conditionalKey = header ?? (input.bundle?.ifNoneExist === undefined ? undefined : parseIfNoneExist(input.bundle.ifNoneExist));
  checkOrder(input, issues);
  const mapping = selectMapping(options.mappings, input);
  if (mapping === undefined) refuse('NO_MAPPING', 422, [...issues, { code: 'not-supported', diagnostics: 'no FHIR mapping (mappings/fhir/*.yaml) takes this ServiceRequest: check the mappings\' when: conditions', expression: input.request.path }]);
  const diagnosis = findDiagnosis(input, issues);
  const env = environmentOf(input);
  const zipField = (mapping.target === 'native' ? mapping.fields.find((field) => field.name === 'zip') : undefined) ?? mapping.zip;
  const zip = evaluateField(zipField, input, env, issues);
  if (zip.value === undefined && !issues.some((entry) => entry.code === 'value')) issues.push(missingZip(input));
  if (issues.length > 0 || diagnosis === undefined || zip.value === undefined) refuse('REFERRAL_INVALID', 422, issues);

  let request: OutboundRequest;
  const identifiers: IdentifierField[] = [];
  if (mapping.target === 'native') {
    const out: Record<string, unknown> = {};
    if (!mapping.fields.some((field) => field.name === 'zip')) out.zip = String(zip.value);
    for (const field of mapping.fields) {
      const result = evaluateField(field, input, env, issues);
      if (result.value === undefined) continue;
      setPath(out, field.name, result.value);
      if (field.identifier !== undefined) identifiers.push({ path: field.name, mode: field.identifier });
    }
    if (issues.length > 0) refuse('MAPPING_FAILED', 422, issues);
    request = { target: 'native', method: 'POST', path: targetPaths.native, body: compact(out) };
  } else {
    const onPatient = zip.source?.startsWith('%patient') === true && input.patient !== undefined && !zip.defaulted;
    let sr = passthroughServiceRequest(input, { diagnosis, zip: { value: String(zip.value), onPatient } });
    for (const field of mapping.fields) {
      const result = evaluateField(field, input, env, issues);
      if (result.value !== undefined) setPath(sr as unknown as Record<string, unknown>, field.name, result.value);
    }
    if (issues.length > 0) refuse('MAPPING_FAILED', 422, issues);
    if (options.deidentify === true) sr = deidentifyServiceRequest(sr, 'fhir', options.pseudonymKey ?? ephemeralPseudonymKey);
    // What goes out must itself be valid R4: a failure here is refused now rather than dead-lettered later.
    const outgoing = validateFhirResource(compact(sr), 'ServiceRequest');
    if (!outgoing.valid) {
      refuse('MAPPING_FAILED', 422, outgoing.issues.filter((entry) => entry.severity === 'error').map((entry) => ({ ...entry, code: entry.code, diagnostics: `the ServiceRequest built for the API is not valid R4: ${entry.diagnostics ?? ''}` })));
    }
    request = { target: 'fhir', method: 'POST', path: targetPaths.fhir, body: compact(sr) as unknown as Record<string, unknown> };
  }

  const sr = input.request.resource;
  const fromMapping = mapping.idempotencyKey.map((path) => firstText(path.evaluate(sr, env))).find((value) => value !== undefined);
  const bundleIdentifier = input.bundle?.identifier?.value === undefined ? undefined : [input.bundle.identifier.system, input.bundle.identifier.value].filter(Boolean).join('|');
  // With no identifier at all, an exact repeat of the same bytes is still recognised.
  const source = conditionalKey ?? fromMapping ?? bundleIdentifier ?? `sha256:${sha256(JSON.stringify(body))}`;
  const idempotencyKey = `fhir-${sha256(source).slice(0, 40)}`;
  const patient = mapping.orderKey.map((path) => firstText(path.evaluate(sr, env))).find((value) => value !== undefined);
  const orderKey = patient === undefined ? undefined : patientKey(options.pseudonymKey ?? ephemeralPseudonymKey, 'fhir', patient);
  const meta: ItemMeta = {
    source: 'fhir',
    controlId: idempotencyKey,
    type: input.bundle === undefined ? 'ServiceRequest' : `Bundle/${input.bundle.type}`,
    facility: 'fhir',
    mapping: mapping.name,
    action: 'refer',
    target: request.target,
  };
  if (orderKey !== undefined) meta.patient = orderKey;
  return { mapping: { name: mapping.name, file: mapping.file }, request, identifiers, key: `fhir:${source}`, idempotencyKey, orderKey, conditional: conditionalKey !== undefined, meta, input };
}
