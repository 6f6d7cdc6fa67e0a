import test from 'ava';
import { request } from 'undici';
import { outboxQueue } from '../../connector/outbox.js';
import { eventuallyValue } from '../helpers/eventually.js';
import { mllpClient, readAck, startConnector } from '../helpers/connector.js';
import { sample } from './_harness.js';

/** The connector admin API additions the console reads: filters, keyset paging, oldest queued, cancel. */
const token = { authorization: 'Bearer admin-token-0123456789' };

async function list(base: string, query: string) {
  const answer = await request(`${base}/admin/messages?${query}`, { headers: token });
  return { status: answer.statusCode, body: (await answer.body.json()) as { data: Array<{ id: number; type: string; controlId: string; status: string }>; oldestQueuedAt: string | null } };
}

test('the message list filters by type, control id, facility and mapping', async (t) => {
  const { httpUrl, mllpPort } = await startConnector(t);
  const client = mllpClient(t, mllpPort);
  for (const file of ['adt-a03-home-health.hl7', 'adt-a08-update.hl7', 'adt-a03-skilled-nursing.hl7']) t.not(readAck(await client.send(sample(file))).code, '');
  t.deepEqual((await list(httpUrl, 'type=ADT%5EA08')).body.data.map((m) => m.type), ['ADT^A08']);
  t.deepEqual((await list(httpUrl, 'controlId=RB20261120143012001')).body.data.map((m) => m.controlId), ['RB20261120143012001']);
  t.is((await list(httpUrl, 'mapping=adt-a03-referral')).body.data.length, 2);
  t.is((await list(httpUrl, 'facility=RIVERBEND')).body.data.length, 3);
  t.is((await list(httpUrl, 'facility=ELSEWHERE')).body.data.length, 0);
});

test('before= pages newest first without gaps or repeats, also within one millisecond', async (t) => {
  const { httpUrl, connector } = await startConnector(t);
  // 23 messages enqueued in one transaction share their receive time.
  await connector.journal!.enqueueMany(Array.from({ length: 23 }, (_, index) => ({ queue: outboxQueue, key: `k${index}`, payload: { v: 1, kind: 'hl7', hl7: '', encoding: 'utf-8', door: 'mllp' }, status: 'filtered' as const, meta: { controlId: `C${index}`, type: 'ADT^A03', facility: 'F' } })));
  const seen: number[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await list(httpUrl, `limit=5${before === undefined ? '' : `&before=${before}`}`);
    t.is(page.status, 200);
    if (page.body.data.length === 0) break;
    seen.push(...page.body.data.map((m) => m.id));
    before = page.body.data.at(-1)!.id;
  }
  t.deepEqual(seen, [...seen].sort((a, b) => b - a));
  t.is(new Set(seen).size, 23);
  t.is((await list(httpUrl, 'before=abc')).status, 400);
});

test('a queued message can be cancelled once, and the list names the oldest queued', async (t) => {
  const { httpUrl, mllpPort } = await startConnector(t); // API at 127.0.0.1:9: deliveries keep failing and retrying
  t.is(readAck(await mllpClient(t, mllpPort).send(sample('adt-a03-home-health.hl7'))).code, 'AA');
  const queued = (await list(httpUrl, 'status=queued')).body;
  t.is(queued.data.length, 1);
  t.truthy(queued.oldestQueuedAt);
  const id = queued.data[0]!.id;
  const cancel = () => request(`${httpUrl}/admin/messages/${id}/cancel`, { method: 'POST', headers: token });
  // The worker may hold it for an attempt right now; a cancel is refused (409) until the lease ends.
  const first = await eventuallyValue(async () => {
    const answer = await cancel();
    await answer.body.dump();
    return answer.statusCode;
  }, (status) => status !== 409, { timeoutMs: 5_000, what: 'cancel accepted' });
  t.is(first, 200);
  t.is((await list(httpUrl, 'status=cancelled')).body.data[0]?.id, id);
  const second = await cancel();
  t.is(second.statusCode, 409);
  await second.body.dump();
});
