/**
 * Which mapping a message goes to, or which HL7 table-0357 code rejects it:
 * 200 when no mapping takes its message type, 201 when some take the type
 * but none this trigger event (or this sending facility). Pure.
 */
import type { Hl7Message } from '../hl7/model.js';
import type { Mapping } from './compile.js';

export type Selection = { mapping: Mapping } | { reject: 200 | 201; text: string };

/** MSH-9.2, or EVN-1 for v2.1-era senders that leave MSH-9.2 empty. */
export function triggerOf(message: Hl7Message): string {
  const trigger = message.header.triggerEvent.toUpperCase();
  if (trigger !== '') return trigger;
  const evn = message.segments.find((segment) => segment.name === 'EVN');
  return (evn?.fields[1]?.[0]?.[0]?.[0] ?? '').trim().toUpperCase();
}

function facilityMatches(mapping: Mapping, message: Hl7Message): boolean {
  const wanted = mapping.match.sendingFacilities;
  if (wanted.length === 0) return true;
  const whole = message.header.sendingFacility;
  const first = whole.split('^')[0] ?? '';
  return wanted.some((facility) => facility === whole || facility === first);
}

export function selectMapping(mappings: readonly Mapping[], message: Hl7Message): Selection {
  const type = message.header.messageType.toUpperCase();
  const byType = mappings.filter((mapping) => mapping.match.messageType === type);
  if (byType.length === 0) return { reject: 200, text: `message type ${type} is not accepted` };
  const trigger = triggerOf(message);
  const candidates = byType
    .filter((mapping) => mapping.match.triggerEvents.includes(trigger) && facilityMatches(mapping, message))
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const chosen = candidates[0];
  if (chosen === undefined) return { reject: 201, text: `event ${type}^${trigger || '(none)'} is not accepted from this sender` };
  return { mapping: chosen };
}
