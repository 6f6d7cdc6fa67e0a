/**
 * Issue #13 §4: each admin role is refused what it may not do — 401 without
 * a known token, 403 below the route's role — with fixed bodies, and no body
 * below role phi carries message content. Connector and relay, on SQLite and
 * PostgreSQL.
 */
import test, { type ExecutionContext } from 'ava';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { startApiStandIn, startConnector } from '../helpers/connector.js';
import { eventBody, startRelay, startSubscriber } from '../relay/_support.js';
import { adminTokens, samplePhi, storeFor, storeKinds, tokens, type StoreKind } from './_stores.js';

const unauthorized = { error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' } };
const forbidden = { error: { code: 'FORBIDDEN', message: "this token's role may not do this" } };

async function call(base: string, route: string, token?: string, method = 'GET') {
  const response = await fetch(`${base}${route}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

async function connectorWithMessage(t: ExecutionContext, kind: StoreKind) {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url, store: storeFor(t, kind), config: { admin: { tokens: adminTokens } } });
  const response = await fetch(`${harness.httpUrl}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body: new Uint8Array(sampleFile('hl7/adt-a03-home-health.hl7')) });
  t.is(response.status, 200);
  await eventually(async () => (await harness.connector.journal!.counts('connector.outbox')).delivered === 1);
  const [item] = await harness.connector.journal!.list({ queue: 'connector.outbox' });
  return { base: harness.httpUrl, id: item!.id, journal: harness.connector.journal! };
}

for (const kind of storeKinds) {
  test(`${kind}: connector admin refuses a missing or unknown token with one fixed 401`, async (t) => {
    const { base, id } = await connectorWithMessage(t, kind);
    for (const token of [undefined, 'not-a-configured-token-at-all']) {
      for (const route of ['/admin/messages', `/admin/messages/${id}`, '/admin/audit']) {
        const answer = await call(base, route, token);
        t.is(answer.status, 401, route);
        t.deepEqual(answer.body, unauthorized);
      }
    }
  });

  test(`${kind}: a viewer lists and shows messages without content and may not act or read the audit trail`, async (t) => {
    const { base, id, journal } = await connectorWithMessage(t, kind);
    const list = await call(base, '/admin/messages', tokens.viewer);
    t.is(list.status, 200);
    t.is(list.body.data[0].id, id);
    const shown = await call(base, `/admin/messages/${id}`, tokens.viewer);
    t.is(shown.status, 200);
    t.like(shown.body.data, { id, status: 'delivered', hl7: null, request: null, result: null, content: false });
    for (const marker of samplePhi) t.false(list.text.includes(marker) || shown.text.includes(marker), marker);
    for (const [route, method] of [[`/admin/messages/${id}/replay`, 'POST'], [`/admin/messages/${id}/cancel`, 'POST'], ['/admin/messages/replay-dead', 'POST'], ['/admin/audit', 'GET']] as const) {
      const answer = await call(base, route, tokens.viewer, method);
      t.is(answer.status, 403, route);
      t.deepEqual(answer.body, forbidden);
    }
    t.is((await journal.counts('connector.outbox')).delivered, 1, 'the refused replay changed nothing');
    t.false((await journal.audit.list()).some((entry) => entry.action === 'viewed'), 'a view without content is not a view of patient data');
  });

  test(`${kind}: an operator replays and reads the audit trail but sees no content`, async (t) => {
    const { base, id } = await connectorWithMessage(t, kind);
    const shown = await call(base, `/admin/messages/${id}`, tokens.operator);
    t.like(shown.body.data, { hl7: null, request: null, content: false });
    for (const marker of samplePhi) t.false(shown.text.includes(marker), marker);
    t.is((await call(base, `/admin/messages/${id}/replay`, tokens.operator, 'POST')).status, 202);
    const audit = await call(base, '/admin/audit', tokens.operator);
    t.is(audit.status, 200);
    t.like(audit.body.data.find((entry: { action: string }) => entry.action === 'replayed'), { actor: 'token:operator-user', subject: `connector.message/${id}` });
    for (const marker of samplePhi) t.false(audit.text.includes(marker), marker);
  });

  test(`${kind}: a phi token sees the message and its view is in the audit trail`, async (t) => {
    const { base, id, journal } = await connectorWithMessage(t, kind);
    const shown = await call(base, `/admin/messages/${id}`, tokens.phi);
    t.is(shown.status, 200);
    t.true(shown.body.data.hl7.includes('Delgado^Maria'));
    t.is(shown.body.data.content, true);
    const views = (await journal.audit.list()).filter((entry) => entry.action === 'viewed');
    t.is(views.length, 1);
    t.like(views[0], { actor: 'token:phi-user', subject: `connector.message/${id}`, remote: '127.0.0.1' });
  });

  test(`${kind}: relay roles: a viewer may not pause, an operator pauses but sees no event data`, async (t) => {
    const endpoint = await startSubscriber(t);
    const relay = await startRelay(t, { adminTokens, subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] }, { store: storeFor(t, kind) });
    await relay.send(eventBody('evt_roles'));
    await eventually(() => endpoint.received.length === 1);
    t.deepEqual((await call(relay.url, '/admin/subscribers/ehr/pause', undefined, 'POST')).body, unauthorized);
    const refused = await call(relay.url, '/admin/subscribers/ehr/pause', tokens.viewer, 'POST');
    t.is(refused.status, 403);
    t.deepEqual(refused.body, forbidden);
    t.is((await call(relay.url, '/admin/events/evt_roles/replay', tokens.viewer, 'POST')).status, 403);
    t.is((await call(relay.url, '/admin/subscribers/ehr/pause', tokens.operator, 'POST')).status, 200);
    const shown = await call(relay.url, '/admin/events/evt_roles', tokens.operator);
    t.like(shown.body.data, { eventId: 'evt_roles', event: null, content: false });
    const withData = await call(relay.url, '/admin/events/evt_roles', tokens.phi);
    t.not(withData.body.data.event, null);
    const actions = (await relay.relay.journal()!.audit.list()).map((entry) => [entry.action, entry.actor, entry.subject]);
    t.deepEqual(actions, [['paused', 'token:operator-user', 'relay.subscriber/ehr'], ['viewed', 'token:phi-user', 'relay.event/evt_roles']]);
  });
}
