/**
 * Lookup tables every mapping file may use by name without defining them.
 * A mapping's own `lookups:` entry of the same name replaces the default.
 */

/**
 * HL7 table 0112 (discharge disposition; in the US the NUBC UB-04 patient
 * discharge status codes) → the Discharge API's care type. Only the
 * dispositions that need post-acute care are here, with their 8x
 * "planned acute readmission" twins (83 = 03, 86 = 06, 89 = 61, 90 = 62,
 * 92 = 64); hospice (50, 51) has no twin.
 */
export const dischargeDispositionCareType: Readonly<Record<string, string>> = Object.freeze({
  '03': 'Skilled Nursing', // skilled nursing facility
  '06': 'Home Health', // home under care of a home health organisation
  '50': 'Hospice', // hospice, home
  '51': 'Hospice', // hospice, medical facility
  '61': 'Skilled Nursing', // swing bed
  '62': 'Physical Therapy', // inpatient rehabilitation facility
  '64': 'Skilled Nursing', // Medicaid-certified nursing facility
  '83': 'Skilled Nursing',
  '86': 'Home Health',
  '89': 'Skilled Nursing',
  '90': 'Physical Therapy',
  '92': 'Skilled Nursing',
});

export const defaultLookups: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  'hl7-0112-care-type': dischargeDispositionCareType,
});
