/** `caraloom map` and `caraloom messages`, run as a person would, in a child process. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { mllpClient, readAck, startConnector } from '../helpers/connector.js';
import { sampleFile } from '../helpers/corpus.js';
import { asEvent, homeHealth, openPipeline } from './_ingest.js';

const run = promisify(execFile);

async function caraloom(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/cli-entry.ts'), ...args], { env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('map prints the matched mapping and the request', async (t) => {
  const result = await caraloom('map', 'samples/hl7/adt-a03-home-health.hl7');
  t.is(result.code, 0);
  t.regex(result.stdout, /mapping: {2}adt-a03-referral/);
  t.regex(result.stdout, /request: {2}POST \/v1\/discharge-referrals/);
  t.regex(result.stdout, /"care_type": "Home Health"/);
  t.regex(result.stdout, /MSA\|AA\|RB20261120143012001/);
});

test('map exits 1 and prints the err when a message would get ae', async (t) => {
  const result = await caraloom('map', 'samples/hl7/adt-a03-missing-diagnosis.hl7', '--mapping', 'mappings/adt-a03-referral.yaml');
  t.is(result.code, 1);
  t.regex(result.stdout, /ERR: {6}101 at DG1\^1\^3\^1\^1/);
});

test('map reports a filtered discharge', async (t) => {
  const result = await caraloom('map', 'samples/hl7/adt-a03-home-self-care.hl7', '--json');
  t.is(result.code, 0);
  t.like(JSON.parse(result.stdout)[0], { verdict: 'filtered', mapping: { name: 'adt-a03-referral' } });
});

test('map with a broken mapping file names the line', async (t) => {
  const result = await caraloom('map', 'samples/hl7/adt-a03-home-health.hl7', '--mapping', 'samples/hl7/README.md');
  t.is(result.code, 2);
  t.regex(result.stderr, /samples\/hl7\/README\.md/);
});

test('messages list and show read the journal of a stopped connector', async (t) => {
  const harness = await startConnector(t, { manual: true });
  t.is(readAck(await mllpClient(t, harness.mllpPort).send(sampleFile('hl7/adt-a03-home-self-care.hl7'))).code, 'AA');
  await harness.connector.stop();
  const list = await caraloom('messages', 'list', '--data', harness.dataDir, '--json');
  t.is(list.code, 0);
  const [row] = JSON.parse(list.stdout);
  t.like(row, { status: 'filtered', type: 'ADT^A03', controlId: 'RB20261121130958005', mapping: 'adt-a03-referral' });
  const show = await caraloom('messages', 'show', String(row.id), '--phi', '--data', harness.dataDir);
  t.regex(show.stdout, /"MSH\|\^~\\\\&\|EPICADT/);
  const replay = await caraloom('messages', 'replay', String(row.id), '--data', harness.dataDir);
  t.is(replay.code, 2, 'a filtered message is not a referral to replay');
});

test('messages list --status ignored lists the events no mapping selects', async (t) => {
  const pipeline = await openPipeline(t);
  t.is((await pipeline.send(asEvent('A02'))).code, 'AA');
  t.is((await pipeline.send(homeHealth())).code, 'AA');
  const list = await caraloom('messages', 'list', '--status', 'ignored', '--data', pipeline.dataDir, '--json');
  t.is(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as Array<{ type: string; action: string }>;
  t.deepEqual(rows.map((row) => [row.type, row.action]), [['ADT^A02', 'ignored']]);
});
