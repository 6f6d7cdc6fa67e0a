/**
 * `caraloom map FILE.json`: the FHIR door's verdict without a journal or a
 * network, through the real CLI entry point.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { configFrom } from '../../config/load.js';
import { dryRunFhir, runFhirMap } from '../../connector/fhir/dry-run.js';
import { loadFhirMappings } from '../../connector/fhir/mapping-load.js';
import { main } from '../../cli/main.js';
import { CORPUS_DIR } from '../helpers/corpus.js';

const mappings = loadFhirMappings('mappings/fhir');
const bundle = 'test/connector/fhir-samples/bundle-transaction.json';

test('a bundle dry run shows the mapping, the request and its keys', (t) => {
  const run = dryRunFhir(readFileSync(bundle), mappings);
  t.is(run.status, 202);
  t.is(run.mapping?.name, 'fhir-servicerequest');
  t.is(run.request?.path, '/v1/fhir/ServiceRequest');
  t.is(run.key, 'fhir:urn:oid:2.16.840.1.113883.3.7777.3|ORD-20261120-0042');
});

test('a refused file shows the operation outcome it would get', (t) => {
  const run = dryRunFhir('{"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"display":"x"}}', mappings);
  t.is(run.status, 422);
  t.deepEqual(run.outcome?.issue.map((entry) => entry.expression?.[0]), ['ServiceRequest.reasonCode', 'ServiceRequest.subject']);
});

test('text that is not json is a 400', (t) => {
  t.is(dryRunFhir('MSH|^~\\&|', mappings).status, 400);
});

test('with a sandbox key configured the dry run shows what the sandbox would receive', (t) => {
  const out: string[] = [];
  const code = runFhirMap([bundle], { config: configFrom({}), json: true, write: (text) => out.push(text), env: { CARALOOM_API_KEY: 'clk_sandbox_0123456789abcdef' } });
  t.is(code, 0);
  const [run] = JSON.parse(out.join(''));
  t.false(JSON.stringify(run.request.body).includes('Rivera'));
});

test('caraloom map routes json files to the fhir dry run and fails on a refusal', async (t) => {
  const writes: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await main(['map', bundle, `${CORPUS_DIR}/fhir/ServiceRequest-ft4.json`]);
  } finally {
    process.stdout.write = original;
  }
  const text = writes.join('');
  t.regex(text, /bundle-transaction\.json {2}FHIR {2}→ 202 Accepted/);
  t.regex(text, /ServiceRequest-ft4\.json {2}FHIR {2}→ 422 OperationOutcome/);
  t.is(process.exitCode, 1);
  process.exitCode = 0;
});
