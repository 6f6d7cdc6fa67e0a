import type { Discipline } from '../domain.js';

/**
 * Care types a referral may ask for, and the clinician disciplines that
 * deliver each (first = best fit). Pure data.
 */
export interface CareType {
  name: string;
  /** Lower-case aliases (HL7 discharge dispositions often arrive abbreviated). */
  aliases: string[];
  /** Disciplines that deliver it, best fit first. */
  disciplines: Discipline[];
}

export const careTypes: readonly CareType[] = [
  { name: 'Skilled Nursing', aliases: ['skilled nursing', 'sn', 'nursing', 'home nursing'], disciplines: ['RN', 'LPN'] },
  { name: 'Home Health', aliases: ['home health', 'hh', 'home health care', 'home care'], disciplines: ['RN', 'PT', 'OT', 'LPN', 'HHA'] },
  { name: 'Physical Therapy', aliases: ['physical therapy', 'pt', 'physiotherapy'], disciplines: ['PT'] },
  { name: 'Occupational Therapy', aliases: ['occupational therapy', 'ot'], disciplines: ['OT'] },
  { name: 'Speech Therapy', aliases: ['speech therapy', 'st', 'slp', 'speech-language pathology', 'speech language pathology'], disciplines: ['SLP'] },
  { name: 'Wound Care', aliases: ['wound care', 'wound'], disciplines: ['RN', 'LPN'] },
  { name: 'Home Health Aide', aliases: ['home health aide', 'hha', 'aide', 'personal care'], disciplines: ['HHA'] },
  { name: 'Medical Social Work', aliases: ['medical social work', 'msw', 'social work'], disciplines: ['MSW'] },
  { name: 'Hospice', aliases: ['hospice', 'hospice care', 'end of life care'], disciplines: ['RN', 'HHA', 'MSW'] },
  { name: 'Palliative Care', aliases: ['palliative care', 'palliative'], disciplines: ['RN', 'MSW'] },
];

const byAlias = new Map<string, CareType>(careTypes.flatMap((type) => [type.name.toLowerCase(), ...type.aliases].map((alias) => [alias, type] as const)));

/** The care type named by `value` (case and spacing ignored), or undefined. */
export function resolveCareType(value: string): CareType | undefined {
  return byAlias.get(value.trim().toLowerCase().replace(/[\s_]+/g, ' '));
}

export const careTypeNames: readonly string[] = careTypes.map((type) => type.name);
