/**
 * Lookup tables every FHIR mapping may use by name without defining them; a
 * mapping's own `lookups:` entry of the same name replaces the default.
 */

/**
 * SNOMED CT procedures and regimes an EHR puts in `ServiceRequest.code` for a
 * post-acute referral → the Discharge API's care type. Only codes whose
 * meaning is unambiguous; a site adds its own (or local order codes) under
 * `lookups:` in its mapping file.
 */
export const snomedCareType: Readonly<Record<string, string>> = Object.freeze({
  '385763009': 'Hospice', // Hospice care (regime/therapy)
  '305336008': 'Hospice', // Admission to hospice
  '91251008': 'Physical Therapy', // Physical therapy procedure
  '84478008': 'Occupational Therapy', // Occupational therapy
  '5154007': 'Speech Therapy', // Speech therapy
  '225358003': 'Wound Care', // Wound care
  '103735009': 'Palliative Care', // Palliative care
  '306206005': 'Home Health', // Referral to service (generic): home health by default
  '3457005': 'Home Health', // Patient referral
  '410606002': 'Medical Social Work', // Social service procedure
});

export const fhirLookups: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  'snomed-care-type': snomedCareType,
});
