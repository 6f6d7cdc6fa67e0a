/**
 * Issue #13 §2: the sandbox store (`sandbox.json`, lowdb) seals each
 * referral under the data key, keeps ids, statuses and times readable, and
 * seals a file written before encryption the first time it is opened with a
 * key.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ensureKeyFile } from '../../core/crypto/keys.js';
import { silentLogger } from '../../core/logger.js';
import type { Referral } from '../../sandbox/domain.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { SandboxStore } from '../../sandbox/store/store.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually, mllpClient, startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { samplePhi } from './_stores.js';

function referral(id: string): Referral {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id, status: 'pending', primaryDiagnosis: { input: 'CHF', display: 'Heart failure' }, careType: 'Skilled Nursing', zip: '78701', priority: 'routine',
    notes: 'lives alone, stairs at Shoal Creek', patient: { id: 'pt-masked-7731', display: 'D. (masked)' }, encounterId: 'enc-0042', matches: [], keyId: 'key_x', source: 'native', createdAt: at, updatedAt: at,
  };
}

/** The strings of `values` (four characters or more) that appear in the file. */
function foundIn(file: string, values: readonly string[]): string[] {
  const text = readFileSync(file, 'utf8');
  return values.filter((value) => value.length >= 4 && text.includes(value));
}

test('after the sample discharge went through a real connector, sandbox.json holds neither the sample phi nor the masked subject', async (t) => {
  t.timeout(60_000);
  const sandboxDir = tempDir(t, 'caraloom-sandbox-');
  ensureKeyFile(sandboxDir);
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: sandboxDir, logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('phi@example.com');
  const dataDir = tempDir(t, 'caraloom-phi-');
  ensureKeyFile(dataDir);
  const harness = await startConnector(t, { apiUrl: sandbox.url!, apiKey: key, dataDir });
  const client = mllpClient(t, harness.mllpPort, 10_000);
  await client.send(sampleFile('hl7/adt-a03-home-health.hl7'));
  await eventually(async () => (await harness.connector.journal!.counts('connector.outbox')).delivered === 1);
  await client.close();

  const [stored] = Object.values(sandbox.deps!.store.data.referrals);
  t.truthy(stored, 'the sandbox holds the referral');
  const read = await fetch(`${sandbox.url}/v1/discharge-referrals/${stored!.id}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await read.json()) as { data: { id: string; patient: { id: string; display?: string } } };
  t.is(read.status, 200);
  t.is(body.data.patient.id, stored!.patient.id, 'the API serves the referral opened');
  const file = path.join(sandboxDir, 'sandbox.json');
  await sandbox.deps!.store.commit();
  const masked = [stored!.patient.id, stored!.patient.display ?? '', stored!.encounterId, stored!.notes ?? '', stored!.externalId ?? '', stored!.primaryDiagnosis.input, stored!.zip];
  t.deepEqual(foundIn(file, samplePhi), [], 'no sample name, MRN, street or birth date');
  t.deepEqual(foundIn(file, masked), [], `no masked subject field (${masked.join(', ')})`);
  const onDisk = JSON.parse(readFileSync(file, 'utf8')).referrals[stored!.id];
  t.like(onDisk, { id: stored!.id, status: stored!.status, createdAt: stored!.createdAt }, 'ids, status and times stay readable');
  t.regex(onDisk.sealed, /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
});

test('a sandbox.json written in clear is sealed when first opened with a key, and reads back the same', async (t) => {
  const dir = tempDir(t, 'caraloom-sandbox-');
  const file = path.join(dir, 'sandbox.json');
  const plain = await SandboxStore.open({ file });
  plain.addReferral(referral('ref_old'));
  await plain.commit();
  await plain.close();
  t.deepEqual(foundIn(file, ['Shoal Creek', 'pt-masked-7731']), ['Shoal Creek', 'pt-masked-7731'], 'without a key the file is as it was (no key, no encryption)');

  ensureKeyFile(dir);
  const sealed = await SandboxStore.open({ file });
  t.deepEqual(foundIn(file, ['Shoal Creek', 'pt-masked-7731', 'D. (masked)', 'enc-0042']), [], 'sealed at open, before any change');
  t.deepEqual(sealed.data.referrals.ref_old, referral('ref_old'));
  sealed.addReferral(referral('ref_new'));
  await sealed.commit();
  await sealed.close();
  const reopened = await SandboxStore.open({ file });
  t.deepEqual(reopened.data.referrals, { ref_old: referral('ref_old'), ref_new: referral('ref_new') });
  t.deepEqual(foundIn(file, ['Shoal Creek', 'pt-masked-7731']), []);
});

test('a sealed sandbox.json without its key is refused at open, saying why', async (t) => {
  const dir = tempDir(t, 'caraloom-sandbox-');
  const file = path.join(dir, 'sandbox.json');
  const { file: keyFile } = ensureKeyFile(dir);
  const store = await SandboxStore.open({ file });
  store.addReferral(referral('ref_a'));
  await store.commit();
  await store.close();
  renameSync(keyFile, path.join(tempDir(t), 'elsewhere.key'));
  await t.throwsAsync(SandboxStore.open({ file }), { code: 'DATA_KEY', message: /sandbox store is encrypted: set CARALOOM_DATA_KEY/ } as never);
  ensureKeyFile(dir); // another key
  await t.throwsAsync(SandboxStore.open({ file }), { code: 'DATA_KEY', message: /ref_a/ } as never);
});

test('a sealed referral copied under another id does not open', async (t) => {
  const dir = tempDir(t, 'caraloom-sandbox-');
  const file = path.join(dir, 'sandbox.json');
  ensureKeyFile(dir);
  const store = await SandboxStore.open({ file });
  store.addReferral(referral('ref_a'));
  await store.commit();
  await store.close();
  const data = JSON.parse(readFileSync(file, 'utf8'));
  data.referrals.ref_b = { ...data.referrals.ref_a, id: 'ref_b' };
  writeFileSync(file, JSON.stringify(data));
  await t.throwsAsync(SandboxStore.open({ file }), { code: 'DATA_KEY', message: /ref_b.*does not authenticate/ } as never);
});
