import test from 'ava';
import { escapeHtml, html, raw } from '../../console/html.js';
import { hl7Fields } from '../../console/pages/hl7-view.js';

const hostile = [
  ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
  ['"><script>alert(1)</script>', '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'],
  ["' onmouseover='x", '&#39; onmouseover=&#39;x'],
  ['a & b', 'a &amp; b'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text of a template placeholder, as hostile input
  ['`${x}`', '&#96;${x}&#96;'],
] as const;

for (const [input, expected] of hostile) {
  test(`the html tag escapes ${JSON.stringify(input)} in text and attributes`, (t) => {
    t.is(html`<td>${input}</td>`.text, `<td>${expected}</td>`);
    t.is(html`<input value="${input}">`.text, `<input value="${expected}">`);
  });
}

test('nested html templates are kept as markup, strings inside them escaped once', (t) => {
  const cell = html`<b>${'<i>'}</b>`;
  t.is(html`<td>${cell}</td>`.text, '<td><b>&lt;i&gt;</b></td>');
});

test('arrays are joined and null, undefined and false render nothing', (t) => {
  t.is(html`<ul>${['<a>', 'b'].map((item) => html`<li>${item}</li>`)}</ul>`.text, '<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  t.is(html`[${null}${undefined}${false}]`.text, '[]');
  t.is(html`${0} ${true}`.text, '0 true');
});

test('only raw() passes markup through unescaped', (t) => {
  t.is(html`${raw('<hr>')}`.text, '<hr>');
  t.is(html`${'<hr>'}`.text, '&lt;hr&gt;');
  t.is(escapeHtml('<>&"\''), '&lt;&gt;&amp;&quot;&#39;');
});

test('hl7 fields are numbered as the standard numbers them, MSH one ahead of the split', (t) => {
  const [msh, pid] = hl7Fields('MSH|^~\\&|APP|FAC|||20260101||ADT^A03|C1|P|2.5.1\rPID|1||MRN1||Doe^Jane');
  t.deepEqual(msh!.fields.slice(0, 3), [{ name: 'MSH-1', value: '|' }, { name: 'MSH-2', value: '^~\\&' }, { name: 'MSH-3', value: 'APP' }]);
  t.is(msh!.fields.find((field) => field.name === 'MSH-9')?.value, 'ADT^A03');
  t.is(msh!.fields.find((field) => field.name === 'MSH-10')?.value, 'C1');
  t.deepEqual(pid!.fields, [{ name: 'PID-1', value: '1' }, { name: 'PID-3', value: 'MRN1' }, { name: 'PID-5', value: 'Doe^Jane' }]);
});
