/**
 * Native ids are `prefix_hex` (`ref_…`, `enc_…`, `pat_…`), but a FHIR `id`
 * may only hold `[A-Za-z0-9\-.]{1,64}` (R4 §2.24.0.1, type `id`). The FHIR
 * view shows the underscore as a hyphen (`ref-…`) and accepts either form.
 * Client-chosen patient ids are already FHIR ids and pass through unchanged.
 */

export const fhirIdPattern = /^[A-Za-z0-9\-.]{1,64}$/;

/** The FHIR id of a native id. */
export function toFhirId(nativeId: string): string {
  return nativeId.replace(/_/g, '-');
}

/** Native ids a FHIR id may stand for: itself, and with its first hyphen back to an underscore. */
export function nativeIdCandidates(fhirId: string): string[] {
  const swapped = fhirId.replace('-', '_');
  return swapped === fhirId ? [fhirId] : [fhirId, swapped];
}
