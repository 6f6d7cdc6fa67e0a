import type { PlaygroundRun } from '../../connector/playground.js';
import type { Reading } from '../data.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageUser } from './layout.js';
import { unreachable } from './format.js';
import { hl7View } from './hl7-view.js';

/**
 * The mapping playground: a pasted (or loaded) HL7 v2 message or FHIR
 * resource, and what the connector would do with it — mapping, filter
 * verdict, the exact request, or the AE/AR with its ERR. Every value shown,
 * the pasted text included, goes through the escaping `html` tag.
 */
export interface PlaygroundView {
  connectors: readonly string[];
  connector: string;
  kind: 'auto' | 'hl7' | 'fhir';
  text: string;
  user: PageUser;
  run?: Reading<PlaygroundRun> | undefined;
}

const kinds = [
  ['auto', 'Tell from the text'],
  ['hl7', 'HL7 v2 (ER7)'],
  ['fhir', 'FHIR R4 JSON'],
] as const;

function form(view: PlaygroundView): Html {
  return html`<form class="playground" method="post" action="/playground">
${csrfField(view.user)}
${view.connectors.length > 1
  ? html`<p><label for="p-connector">Connector (its mappings)</label><select id="p-connector" name="connector">${view.connectors.map((name) => html`<option${name === view.connector ? html` selected` : ''}>${name}</option>`)}</select></p>`
  : html`<input type="hidden" name="connector" value="${view.connector}">`}
<fieldset><legend>Input</legend>${kinds.map(([value, label]) => html`<label class="choice"><input type="radio" name="kind" value="${value}"${value === view.kind ? html` checked` : ''}> ${label}</label>`)}</fieldset>
<p><label for="p-file">Load a file (it fills the box below; nothing is uploaded until you press Try)</label><input id="p-file" type="file" accept=".hl7,.er7,.txt,.json" data-fills="p-message"></p>
<p><label for="p-message">Message or resource</label><textarea id="p-message" name="message" rows="12" spellcheck="false" required>${view.text}</textarea></p>
<p><button type="submit">Try it</button> <span class="note">Nothing is stored or sent; the run is on the audit trail without its content.</span></p>
</form>`;
}

const json = (value: unknown): Html => html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;

function errorsTable(errors: ReadonlyArray<{ code: number; location?: string | undefined; userMessage?: string | undefined }>): Html {
  return html`<table><caption>ERR segments</caption>
<thead><tr><th scope="col">ERR-3 code</th><th scope="col">ERR-2 location</th><th scope="col">Text</th></tr></thead>
<tbody>${errors.map((e) => html`<tr><td>${e.code}</td><td>${e.location ?? ''}</td><td>${e.userMessage ?? ''}</td></tr>`)}</tbody></table>`;
}

function hl7Result(run: Extract<PlaygroundRun, { kind: 'hl7' }>): Html {
  const result = run.result;
  const filter =
    run.verdict === 'filtered' && result?.kind === 'filtered' ? `not passed: ${result.reason}`
    : run.verdict === 'ignored' ? (result?.kind === 'ignored' ? `recorded, not sent: ${result.reason}` : 'no mapping selects this event')
    : run.verdict === 'request' || run.verdict === 'cancel' ? 'passed'
    : 'not reached';
  return html`<dl class="facts">
<div><dt>Verdict</dt><dd data-verdict="${run.verdict}">${run.verdict}</dd></div>
<div><dt>Message</dt><dd>${run.type || '(unreadable)'}${run.controlId === '' ? '' : html` <code>${run.controlId}</code>`}</dd></div>
<div><dt>Mapping</dt><dd data-mapping>${run.mapping === undefined ? 'none' : run.mapping.name}</dd></div>
<div><dt>Filter</dt><dd>${filter}</dd></div>
</dl>
${run.mapping === undefined ? '' : html`<p class="note">Mapping file: <code>${run.mapping.file}</code></p>`}
${result?.kind === 'request' ? html`<h3>The request it would send</h3><p><code>${result.request.method} ${result.request.path}</code> (order key <code>${result.orderKey}</code>)</p>${json(result.request.body)}` : ''}
${run.errors === undefined || run.errors.length === 0 ? '' : errorsTable(run.errors)}
${run.ack === undefined ? html`<p>No ACK would be sent (${run.verdict === 'no ack (an ACK)' ? 'the input is itself an ACK' : 'MSH-15/16 ask for none'}).</p>` : html`<h3>The ACK it would answer</h3>${hl7View(run.ack)}<pre class="ack">${run.ack.replace(/\r/g, '\n')}</pre>`}`;
}

function fhirResult(run: Extract<PlaygroundRun, { kind: 'fhir' }>): Html {
  const verdict = run.status === 202 ? 'request' : `${run.status} OperationOutcome`;
  return html`<dl class="facts">
<div><dt>Verdict</dt><dd data-verdict="${verdict}">${verdict}</dd></div>
<div><dt>Mapping</dt><dd data-mapping>${run.mapping === undefined ? 'none' : run.mapping.name}</dd></div>
<div><dt>Idempotency-Key</dt><dd>${run.idempotencyKey ?? '—'}</dd></div>
</dl>
${run.request === undefined ? '' : html`<h3>The request it would send</h3><p><code>${run.request.method} ${run.request.path}</code></p>${json(run.request.body)}`}
${run.outcome === undefined ? '' : html`<h3>The OperationOutcome it would answer</h3>
<table><caption>Issues</caption><thead><tr><th scope="col">Severity</th><th scope="col">Code</th><th scope="col">Where</th><th scope="col">Diagnostics</th></tr></thead>
<tbody>${(run.outcome.issue ?? []).map((i) => html`<tr><td>${i.severity}</td><td>${i.code}</td><td>${(i.expression ?? []).join(', ')}</td><td>${i.diagnostics ?? ''}</td></tr>`)}</tbody></table>${json(run.outcome)}`}`;
}

export function playgroundBody(view: PlaygroundView): Html {
  const run = view.run;
  return html`<p>Paste an HL7 v2 message or a FHIR ServiceRequest or Bundle: the console asks connector ${view.connector} what it would do with it — the same dry run as <code>caraloom map</code>.</p>
${form(view)}
${run === undefined
  ? ''
  : html`<section aria-labelledby="result" class="result"><h2 id="result">What the connector would do</h2>
${!run.ok ? unreachable(`Connector ${view.connector}`, run.error) : run.value.kind === 'hl7' ? hl7Result(run.value) : fhirResult(run.value)}</section>`}`;
}
