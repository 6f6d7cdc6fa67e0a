import test from 'ava';
import { request } from 'undici';
import { eventBody } from '../relay/_support.js';
import { eventually, eventuallyValue } from '../helpers/eventually.js';
import { startApiStandIn } from '../helpers/connector.js';
import { loginHttp, sample, startConsole } from './_harness.js';

const cell = (markup: string, window: string, by: string, row: string, column: string): string | undefined => {
  const table = new RegExp(`<table class="window" data-window="${window}">([\\s\\S]*?)</table>`).exec(markup)?.[1] ?? '';
  const group = new RegExp(`<tbody data-by="${by}">([\\s\\S]*?)</tbody>`).exec(table)?.[1] ?? '';
  const line = new RegExp(`<tr><th scope="row">${row}</th>(.*?)</tr>`).exec(group)?.[1] ?? '';
  return new RegExp(`<td data-col="${column}">(\\d+)</td>`).exec(line)?.[1];
};

test('the dashboard counts per door and per mapping for the hour and the day, with a rate chart and the api state', async (t) => {
  const harness = await startConsole(t);
  t.is(await harness.send('adt-a03-home-health.hl7'), 'AA');
  t.is(await harness.send('adt-a03-home-self-care.hl7'), 'AA');
  const posted = await request(`${harness.connector.httpUrl}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body: sample('adt-a03-missing-diagnosis.hl7') });
  await posted.body.dump();
  const session = await loginHttp(harness.url, 'viewer');
  const page = await eventuallyValue(async () => (await session.get('/live/dashboard')).text, (text) => cell(text, 'hour', 'mapping', 'adt-a03-referral', 'delivered') === '1', { timeoutMs: 5_000, what: 'the delivery counted' });
  for (const window of ['hour', 'day']) {
    t.is(cell(page, window, 'door', 'MLLP', 'received'), '2', `${window} MLLP received`);
    t.is(cell(page, window, 'door', 'MLLP', 'ignored'), '1', `${window} MLLP filtered`);
    t.is(cell(page, window, 'door', 'HTTP', 'received'), '1', `${window} HTTP received`);
    t.is(cell(page, window, 'door', 'HTTP', 'AE'), '1', `${window} HTTP AE`);
    t.is(cell(page, window, 'door', 'FHIR', 'received'), '0', `${window} FHIR received`);
  }
  t.regex(page, /<svg role="img" aria-label="Last hour, per 5 min: 3 received/);
  t.regex(page, /<svg role="img" aria-label="Last day, per hour: 3 received/);
  t.false(/<script|style=/.test(page), 'the chart is plain svg, no script or inline style');
  t.regex(page, /data-api="state" class="s-healthy">reachable/);
  t.regex(page, /data-api="last">HTTP 201 \(delivered,/);
  t.regex(page, /data-count="events-hour">0/);
});

test('the dashboard counts stay exact past 1,000 messages in a window, from the journal rather than a sample', async (t) => {
  const harness = await startConsole(t);
  const text = sample('adt-a03-home-self-care.hl7').toString('latin1');
  // 1,050 discharges home without services (ACKed and filtered: nothing to deliver), 25 at a time over HTTP.
  for (let batch = 0; batch < 1_050; batch += 25) {
    await Promise.all(Array.from({ length: 25 }, async (_, i) => {
      const body = text.replace(/^(MSH(?:\|[^|\r]*){8}\|)[^|\r]*/, `$1EXACT-${batch + i}`);
      const posted = await request(`${harness.connector.httpUrl}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body });
      t.is(posted.statusCode, 200);
      await posted.body.dump();
    }));
  }
  // And the relay's events, counted the same way.
  for (const n of [1, 2, 3]) t.is((await harness.relay.send(eventBody(`evt_exact_${n}`))).status, 200);
  const session = await loginHttp(harness.url, 'viewer');
  const page = (await session.get('/live/dashboard')).text;
  t.regex(page, /data-count="events-hour">3</);
  t.regex(page, /data-count="events-day">3</);
  const relayActivity = await request(`${harness.relay.url}/admin/activity?since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&bucketSeconds=300`, { headers: { authorization: 'Bearer relay-admin-token-0123456789' } });
  const relayBody = (await relayActivity.body.json()) as { data: { rows: Array<{ type: string; count: number }> } };
  t.is(relayBody.data.rows.reduce((sum, row) => sum + row.count, 0), 3);
  const relayRefused = await request(`${harness.relay.url}/admin/activity?since=yesterday`, { headers: { authorization: 'Bearer relay-admin-token-0123456789' } });
  t.is(relayRefused.statusCode, 400);
  await relayRefused.body.dump();
  for (const window of ['hour', 'day']) {
    t.is(cell(page, window, 'door', 'HTTP', 'received'), '1050', `${window}: every message, not the newest 1,000`);
    t.is(cell(page, window, 'door', 'HTTP', 'ignored'), '1050');
  }
  t.regex(page, /<svg role="img" aria-label="Last day, per hour: 1050 received/);
  t.false(page.includes('1000+'));
  // The admin API behind it, for any other dashboard: bounded windows and buckets.
  const admin = (query: string) => request(`${harness.connector.httpUrl}/admin/activity?${query}`, { headers: { authorization: 'Bearer admin-token-0123456789' } });
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const answer = await admin(`since=${encodeURIComponent(since)}&bucketSeconds=300`);
  const body = (await answer.body.json()) as { data: { bucketMs: number; rows: Array<{ door: string; status: string; count: number }> } };
  t.is(body.data.bucketMs, 300_000);
  t.is(body.data.rows.filter((row) => row.door === 'http' && row.status === 'filtered').reduce((sum, row) => sum + row.count, 0), 1_050);
  for (const [query, why] of [['since=yesterday', 'a time'], [`since=${encodeURIComponent(new Date(Date.now() - 9 * 86_400_000).toISOString())}`, 'older than 8 days'], [`since=${encodeURIComponent(since)}&bucketSeconds=1`, 'too narrow'], [`since=${encodeURIComponent(new Date(Date.now() - 7 * 86_400_000).toISOString())}&bucketSeconds=60`, 'too many buckets']] as const) {
    const refused = await admin(query);
    t.is(refused.statusCode, 400, why);
    t.is(((await refused.body.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
  }
});

test('the message list finds a message by referral id and its detail lists the webhooks that came back', async (t) => {
  const harness = await startConsole(t);
  t.is(await harness.send('adt-a03-home-health.hl7'), 'AA');
  t.is(await harness.send('adt-a03-skilled-nursing.hl7'), 'AA');
  const session = await loginHttp(harness.url, 'operator');
  await eventually(async () => harness.api.requests.length === 2, { timeoutMs: 5_000, what: 'both delivered' });
  // The stand-in answers ref_1 then ref_2.
  const list = (await session.get('/messages?referralId=ref_2')).text;
  t.is((list.match(/<tr>\n<td><input type="checkbox"/g) ?? []).length, 1);
  t.regex(list, /RB20261120150512001|<td>ref_2<\/td>/);
  t.false(list.includes('<td>ref_1</td>'));
  t.is((await harness.relay.send(eventBody('evt_console_1', { referral: 'ref_2' }))).status, 200);
  const id = /href="\/messages\/main\/(\d+)"/.exec(list)![1];
  const detail = (await session.get(`/messages/main/${id}`)).text;
  t.regex(detail, /Webhooks back.*ref_2.*relay edge: <code>referral\.matched<\/code>.*evt_console_1/s);
  // Which version of the mapping file mapped it (the hash `messages show` prints too).
  t.regex(detail, /mapping adt-a03-referral \(file version <code>[0-9a-f]{12}<\/code>\)/);
  t.regex(detail, /<strong>Received<\/strong> <time [^>]*>[^<]*<\/time> over MLLP from 127\.0\.0\.1: ADT\^A03 control id \w+, sending facility RIVERBEND/, 'the timeline names the sending system');
});

test('replaying a selection confirms the count, replays those, and is audited', async (t) => {
  const harness = await startConsole(t);
  const port = Number(new URL(harness.api.url).port);
  await harness.api.close();
  for (const file of ['adt-a03-home-health.hl7', 'adt-a03-skilled-nursing.hl7', 'adt-a03-hospice-home.hl7']) t.is(await harness.send(file), 'AA');
  const session = await loginHttp(harness.url, 'operator');
  const deadIds = async () => [...(await session.get('/messages?status=dead')).text.matchAll(/name="id" value="(\d+)"/g)].map((match) => match[1]!);
  const ids = await eventuallyValue(deadIds, (found) => found.length === 3, { timeoutMs: 5_000, what: 'three dead letters' });
  const confirm = (await session.get(`/actions/replay-selected?connector=main&id=${ids[0]}&id=${ids[1]}&id=${ids[1]}&id=x`)).text;
  t.regex(confirm, /data-count="replay">2</);
  const api = await startApiStandIn(t, port);
  const answer = await request(`${harness.url}/actions/replay-selected`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([['_csrf', session.csrf], ['connector', 'main'], ['id', ids[0]!], ['id', ids[1]!]]).toString(),
  });
  t.regex(await answer.body.text(), /Replayed 2 of 2 selected/);
  await eventuallyValue(deadIds, (left) => left.length === 1 && left[0] === ids[2], { timeoutMs: 5_000, what: 'only the unselected one still dead' });
  await eventually(() => api.requests.length === 2, { timeoutMs: 5_000, what: 'the two replayed delivered' });
  t.regex((await session.get('/audit?action=replay-selected')).text, /replay-selected.*connector:main.*2 of 2 replayed/s);
});
