import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { emptyCounts } from '../../core/journal/types.js';
import { signCaraloom } from '../../core/signature.js';
import { relayConfigSchema } from '../../relay/config.js';
import { addSecretToFile, createSecretSource, parseSecretsFile } from '../../relay/secrets.js';
import { tempDir } from '../helpers/temp.js';
import { eventBody, secret, startRelay } from '../relay/_support.js';

const previous = 'whsec_cHJldmlvdXMtc2VjcmV0LWJlZm9yZS1yb3RhdGU=';

/** Every piece of the secrets file that is not a secret, split every way a parser might. */
function nonSecretFragments(text: string, secrets: readonly string[]): string[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !secrets.includes(line.trim()));
  const pieces = new Set<string>();
  for (const line of lines) {
    pieces.add(line);
    pieces.add(line.trim());
    pieces.add(line.replace(/^#\s*/, ''));
    for (const separator of [' ', ',', '.', ':', /[ ,.:]/]) for (const part of line.split(separator)) if (part.trim() !== '') (pieces.add(part), pieces.add(part.trim()));
  }
  return [...pieces];
}

test('an event signed with any fragment of the secrets file header is refused 401 and stored nowhere', async (t) => {
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'log' }], secrets: [] });
  const file = path.join(relay.dataDir, 'relay-secrets');
  addSecretToFile(file, previous);
  addSecretToFile(file, secret);
  const text = readFileSync(file, 'utf8');
  const fragments = nonSecretFragments(text, [secret, previous]);
  t.true(fragments.length > 20, `only ${fragments.length} fragments`);
  t.true(fragments.includes('newest first') || fragments.some((part) => part.includes('Keep this file private')));
  for (const [index, fragment] of fragments.entries()) {
    const answer = await relay.post(eventBody(`evt_forged_${index}`), { 'x-caraloom-signature': signCaraloom(fragment, eventBody(`evt_forged_${index}`)) });
    t.is(answer.status, 401, `fragment ${JSON.stringify(fragment)} was accepted`);
  }
  t.deepEqual(await relay.relay.journal()!.counts(), emptyCounts());
  t.is((await relay.send(eventBody('evt_real'))).status, 200, 'the real secret still verifies');
});

test('rotation keeps exactly the real previous secret', (t) => {
  const file = path.join(tempDir(t), 'relay-secrets');
  addSecretToFile(file, previous);
  addSecretToFile(file, secret);
  const rotated = 'whsec_bmV4dC1zZWNyZXQtYWZ0ZXItcm90YXRpb24x';
  t.deepEqual(addSecretToFile(file, rotated), [rotated, secret]);
  t.deepEqual(createSecretSource({ config: [], file })(), [rotated, secret]);
});

test('a line in the secrets file that is not a secret is an error naming the line', (t) => {
  const error = t.throws(() => parseSecretsFile(`# comment\n${secret}\nnewest first, keep private\n`, '/data/relay-secrets'));
  t.deepEqual((error as unknown as { details: string[] }).details, ['/data/relay-secrets:3: expected a secret without spaces']);
});

test('a relay whose secrets file holds a non-secret line refuses to start', (t) => {
  const dataDir = tempDir(t);
  writeFileSync(path.join(dataDir, 'relay-secrets'), 'Keep-this-file-private.\n', { mode: 0o600 });
  t.throws(() => createSecretSource({ config: [], file: path.join(dataDir, 'relay-secrets') }), { message: /not a secrets file/ });
});

test('a short secret is refused in config and in the environment alike', (t) => {
  t.false(relayConfigSchema.safeParse({ secrets: ['short-secret'] }).success);
  t.throws(() => createSecretSource({ env: 'short-secret', config: [], file: '/nonexistent' }), { message: /CARALOOM_WEBHOOK_SECRET/ });
});
