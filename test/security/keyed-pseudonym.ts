/**
 * Issue #11 item 5: the pseudonym a sandbox key receives for an MRN, and the
 * per-patient order key kept in journal meta, were unkeyed SHA-256 hashes: MRNs
 * come from a small range, so hashing the range found the MRN. Both are now
 * HMACs under a per-install key made on first start (`<data>/pseudonym.key`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { JournalItem } from '../../core/journal/types.js';
import { pseudonym } from '../../connector/delivery/deidentify.js';
import { loadPseudonymKey } from '../../connector/delivery/pseudonym-key.js';
import { patientKey, type OutboxPayload } from '../../connector/outbox.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually, mllpClient, readAck, startApiStandIn, startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

const mrn = 'MRN10048213';

/** What the old code sent and stored: anyone could compute these from an MRN range. */
const unkeyedPseudonym = (value: string, scope: string) => `p${createHash('sha256').update(`${scope}\n${value}`).digest('hex').slice(0, 16)}`;
const unkeyedOrderKey = (facility: string, value: string) => `p-${createHash('sha256').update(`${facility}\n${value}`).digest('hex').slice(0, 32)}`;

test('the install key is made on first start in the data folder, mode 0600, and kept across restarts', async (t) => {
  const dataDir = tempDir(t, 'pseudonym-key-');
  const first = await startConnector(t, { dataDir, manual: true });
  await first.connector.stop();
  const file = path.join(dataDir, 'pseudonym.key');
  t.is(statSync(file).mode & 0o777, 0o600);
  const written = readFileSync(file, 'utf8');
  t.regex(written, /^[0-9a-f]{64}\n$/);
  const second = await startConnector(t, { dataDir, manual: true });
  await second.connector.stop();
  t.is(readFileSync(file, 'utf8'), written);
});

test('two installs give one mrn different pseudonyms, and an mrn range hashed without the key finds neither', async (t) => {
  const a = await loadPseudonymKey(path.join(tempDir(t), 'a.key'));
  const b = await loadPseudonymKey(path.join(tempDir(t), 'b.key'));
  const pa = pseudonym(mrn, 'RIVERBEND', a);
  t.regex(pa, /^p[0-9a-f]{16}$/);
  t.is(pseudonym(mrn, 'RIVERBEND', a), pa, 'stable on one install');
  t.not(pseudonym(mrn, 'RIVERBEND', b), pa);
  // The attack the old hash allowed: hash every MRN near the target and compare.
  const found: string[] = [];
  for (let n = 10_040_000; n < 10_060_000; n++) {
    const guess = `MRN${n}`;
    if (unkeyedPseudonym(guess, 'RIVERBEND') === pa || unkeyedOrderKey('RIVERBEND', guess) === patientKey(a, 'RIVERBEND', mrn)) found.push(guess);
  }
  t.deepEqual(found, []);
  t.not(patientKey(a, 'RIVERBEND^1234567893^NPI', mrn), patientKey(b, 'RIVERBEND^1234567893^NPI', mrn));
});

test('a sandbox key receives the pseudonym keyed by this install and the journal keeps the keyed order key', async (t) => {
  const api = await startApiStandIn(t);
  const dataDir = tempDir(t, 'pseudonym-e2e-');
  const harness = await startConnector(t, { dataDir, apiUrl: api.url, apiKey: 'clk_sandbox_0123456789abcdef' });
  t.is(readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-home-health.hl7'))).code, 'AA');
  await eventually(() => api.requests.length === 1);
  const key = await loadPseudonymKey(path.join(dataDir, 'pseudonym.key'));
  const sent = api.requests[0]!.body as { patient: { id: string } };
  t.is(sent.patient.id, pseudonym(mrn, 'RIVERBEND', key));
  t.not(sent.patient.id, unkeyedPseudonym(mrn, 'RIVERBEND'));
  const [item] = (await harness.connector.journal!.list<OutboxPayload>({ queue: 'connector.outbox', meta: { action: 'refer' } })) as JournalItem<OutboxPayload>[];
  t.is(item!.orderKey, patientKey(key, 'RIVERBEND', mrn));
  t.is(item!.meta.patient, item!.orderKey);
  t.not(item!.orderKey, unkeyedOrderKey('RIVERBEND', mrn));
});
