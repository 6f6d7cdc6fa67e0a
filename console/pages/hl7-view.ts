import { html, type Html } from '../html.js';

export interface Hl7Field {
  /** `PID-5`, `MSH-9`. */
  name: string;
  value: string;
}

/**
 * An ER7 message as segments of numbered fields, for reading rather than
 * parsing: MSH-1 is the field separator itself and MSH-2 the encoding
 * characters (HL7 v2.5 §2.14.9), so MSH numbering is one ahead of the split.
 */
export function hl7Fields(text: string): Array<{ segment: string; fields: Hl7Field[] }> {
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
  const separator = lines[0]?.startsWith('MSH') ? (lines[0][3] ?? '|') : '|';
  return lines.map((line) => {
    const parts = line.split(separator);
    const segment = parts[0] ?? '';
    const offset = segment === 'MSH' ? 1 : 0;
    const fields: Hl7Field[] = segment === 'MSH' ? [{ name: 'MSH-1', value: separator }] : [];
    parts.slice(1).forEach((value, index) => {
      if (value !== '') fields.push({ name: `${segment}-${index + 1 + offset}`, value });
    });
    return { segment, fields };
  });
}

export function hl7View(text: string): Html {
  return html`<div class="hl7">${hl7Fields(text).map(
    ({ segment, fields }, index) => html`<table class="segment">
<caption>Segment ${index + 1}: ${segment}</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
<tbody>${fields.map((field) => html`<tr><th scope="row">${field.name}</th><td><code>${field.value}</code></td></tr>`)}</tbody>
</table>`,
  )}</div>`;
}
