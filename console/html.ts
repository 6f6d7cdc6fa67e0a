/**
 * The console's only way to build markup: `html\`<td>${value}</td>\`` escapes
 * every interpolation, because message content is hostile input (anything on
 * the hospital LAN can send MLLP). Markup passes unescaped only as a `Html`
 * value — the result of another `html` template, or an explicit, rare `raw()`.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape text for element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => entities[char]!);
}

/** What may be interpolated: text and numbers are escaped; arrays are joined; null, undefined and false render nothing. */
export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  for (let index = 0; index < values.length; index += 1) out += render(values[index]!) + strings[index + 1]!;
  return new Html(out);
}

/** Markup taken as is. Only for constant strings written in this codebase — never for data. */
export function raw(markup: string): Html {
  return new Html(markup);
}
