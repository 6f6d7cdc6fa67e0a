import type { CodeableConcept, Coding } from 'fhir/r4.js';

/**
 * ICD-10-CM in FHIR: the canonical system URI (THO "ICD-10-CM"), code shape
 * checks and finding the ICD-10-CM coding among a resource's reason codes.
 * Generic to every FHIR door; what a diagnosis *means* (specialty, shorthand)
 * lives with the sandbox vocabulary.
 */

export const icd10CmSystem = 'http://hl7.org/fhir/sid/icd-10-cm';

/**
 * Letter, digit, alphanumeric, optionally a dot and 1–4 more (`I50.9`,
 * `S72.009A`, `E119`). U is allowed: ICD-10-CM uses U07.1 (COVID-19) since 2020.
 */
const icd10CmShape = /^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/;

/** `I50.9` from `i509` / `I50.9`; undefined when the value is not shaped like an ICD-10-CM code. */
export function normaliseIcd10Cm(value: string): string | undefined {
  const upper = value.trim().toUpperCase();
  if (!icd10CmShape.test(upper)) return undefined;
  const bare = upper.replace('.', '');
  return bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare;
}

export interface ReasonCode {
  /** Normalised ICD-10-CM code. */
  code: string;
  display?: string | undefined;
  /** FHIRPath of the coding it came from, for OperationOutcomes. */
  expression: string;
}

export interface ReasonSearch {
  found?: ReasonCode | undefined;
  /** The first ICD-10-CM coding, when its code is not shaped like one. */
  malformed?: { expression: string } | undefined;
}

/**
 * The first ICD-10-CM coding in a list of CodeableConcepts (e.g.
 * `ServiceRequest.reasonCode`). `base` is the FHIRPath of the list.
 */
export function findIcd10CmReason(concepts: readonly CodeableConcept[] | undefined, base: string): ReasonSearch {
  for (const [i, concept] of (concepts ?? []).entries()) {
    for (const [j, coding] of (concept.coding ?? []).entries()) {
      if (coding.system !== icd10CmSystem) continue;
      const expression = `${base}[${i}].coding[${j}].code`;
      const code = typeof coding.code === 'string' ? normaliseIcd10Cm(coding.code) : undefined;
      if (code === undefined) return { malformed: { expression } };
      return { found: { code, display: coding.display ?? concept.text, expression } };
    }
  }
  return {};
}

/** A Coding for an ICD-10-CM code. */
export function icd10CmCoding(code: string, display?: string): Coding {
  return display === undefined ? { system: icd10CmSystem, code } : { system: icd10CmSystem, code, display };
}
