/**
 * `caraloom reload` against `caraloom up` (issue #15 §4): one SIGHUP reloads
 * the connector's mappings and the relay's subscribers in one process, and a
 * FHIR referral records the hash of the FHIR mapping file that mapped it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { sampleFile } from '../helpers/corpus.js';
import { caraloom, startCliService } from '../helpers/cli-service.js';
import { tempDir } from '../helpers/temp.js';

const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

test('caraloom reload reloads every service of up, and fhir messages record their mapping hash', async (t) => {
  const data = tempDir(t, 'up-reload-');
  const ports = ['--sandbox-port', '0', '--mllp-port', '0', '--http-port', '0', '--relay-port', '0', '--console-port', '0'];
  const up = await startCliService(t, ['up', '--data', data, ...ports], 5);
  // Printed in start order: sandbox, relay, connector (MLLP, then HTTP), console.
  const http = up.urls[up.urls.findIndex((url) => url.startsWith('mllp://')) + 1]!;

  const reloaded = await caraloom(['reload', '--data', data]);
  t.is(reloaded.code, 0, reloaded.stderr);
  t.regex(reloaded.stdout, /^up: reloaded$/m);
  t.regex(reloaded.stdout, new RegExp(`^  connector\\.adt-a03-referral\\.yaml  ${hashOf('mappings/adt-a03-referral.yaml')}$`, 'm'));
  t.regex(reloaded.stdout, /^ {2}relay\.subscribers {2}demo$/m);

  const token = readFileSync(path.join(data, 'connector-token'), 'utf8').trim();
  const posted = await fetch(`${http}/fhir`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: sampleFile('fhir/discharge-bundle.json').toString('utf8') });
  await posted.arrayBuffer();
  t.is(posted.status, 202);
  const rows = JSON.parse((await caraloom(['messages', 'list', '--json', '--data', data])).stdout) as Array<{ mapping: string; mappingHash: string | null }>;
  t.is(rows.length, 1);
  t.is(rows[0]!.mapping, 'fhir-servicerequest');
  t.is(rows[0]!.mappingHash, hashOf('mappings/fhir/servicerequest-fhir.yaml'));
  t.is(await up.stop(), 0);
});
