import test from 'ava';
import { parseEvent, referralIdOf, type RelayEvent } from '../../relay/event.js';
import { deliveryId, fanOut, filterMatches, typeMatches } from '../../relay/match.js';
import { relayConfigSchema } from '../../relay/config.js';

const types: Array<[string[], string, boolean]> = [
  [['*'], 'ping', true],
  [['referral.*'], 'referral.matched', true],
  [['referral.*'], 'referrals.matched', false],
  [['referral.created'], 'referral.matched', false],
  [['ping', 'referral.matched'], 'referral.matched', true],
];
for (const [patterns, type, expected] of types) {
  test(`event types ${patterns.join(',')} ${expected ? 'match' : 'do not match'} ${type}`, (t) => {
    t.is(typeMatches(patterns, type), expected);
  });
}

const data = { care_type: 'Home Health', priority: 'urgent', primary_diagnosis: { code: 'I50.9' }, matches: [] };
const filters: Array<[Record<string, unknown>, boolean]> = [
  [{}, true],
  [{ care_type: 'Home Health' }, true],
  [{ care_type: ['Hospice', 'Home Health'] }, true],
  [{ care_type: 'Hospice' }, false],
  [{ 'primary_diagnosis.code': 'I50.9', priority: 'urgent' }, true],
  [{ 'primary_diagnosis.code': 'I50.9', priority: 'routine' }, false],
  [{ facility: 'NORTH' }, false],
  [{ matches: 'x' }, false],
];
for (const [filter, expected] of filters) {
  test(`filter ${JSON.stringify(filter)} ${expected ? 'passes' : 'stops'} the event`, (t) => {
    t.is(filterMatches(filter as never, data), expected);
  });
}

const bodies: Array<[string, string | undefined]> = [
  ['{"id":"evt_1","type":"referral.matched","created_at":"2026-01-01T00:00:00Z","data":{"id":"ref_1"}}', undefined],
  ['[1,2]', 'body is not a JSON object'],
  ['{"id":"evt 1","type":"ping"}', 'id must be a string of 1-128 letters, digits, _ . : -'],
  ['{"id":"evt_1","type":"Referral Matched"}', 'type must be an event type such as referral.matched'],
  ['{"id":"evt_1","type":"ping","data":[1]}', 'data must be an object'],
  ['{"id":', 'body is not JSON'],
];
for (const [body, problem] of bodies) {
  test(`event body ${body.slice(0, 30)} is ${problem ?? 'valid'}`, (t) => {
    const parsed = parseEvent(body);
    t.deepEqual(parsed.ok ? undefined : parsed.problem, problem);
  });
}

test('the referral id is found under the names events use', (t) => {
  const event = (data: Record<string, unknown>): RelayEvent => ({ id: 'e', type: 'referral.matched', created_at: '', data });
  t.is(referralIdOf(event({ id: 'ref_1' })), 'ref_1');
  t.is(referralIdOf(event({ referral_id: 'ref_2', id: 'x' })), 'ref_2');
  t.is(referralIdOf(event({ referral: { id: 'ref_3' } })), 'ref_3');
  t.is(referralIdOf(event({ webhook_id: 'wh_1' })), undefined);
});

test('delivery ids are stable per event and subscriber and differ between them', (t) => {
  t.is(deliveryId('evt_1', 'ehr'), deliveryId('evt_1', 'ehr'));
  t.not(deliveryId('evt_1', 'ehr'), deliveryId('evt_1', 'care'));
  t.not(deliveryId('evt_1', 'ehr'), deliveryId('evt_2', 'ehr'));
});

test('fan-out orders by referral, by subscriber, or not at all', (t) => {
  const { subscribers } = relayConfigSchema.parse({
    subscribers: [{ name: 'a', kind: 'log' }, { name: 'b', kind: 'log', ordering: 'subscriber' }, { name: 'c', kind: 'log', ordering: 'none' }],
  });
  const event: RelayEvent = { id: 'evt_9', type: 'referral.matched', created_at: '', data: { id: 'ref_9' } };
  const inputs = fanOut(subscribers, event, '{}');
  t.deepEqual(inputs.map((input) => [input.queue, input.key, input.orderKey, input.status ?? 'queued']), [
    ['relay.events', 'evt_9', undefined, 'delivered'],
    ['relay.sub.a', 'evt_9', 'referral:ref_9', 'queued'],
    ['relay.sub.b', 'evt_9', 'all', 'queued'],
    ['relay.sub.c', 'evt_9', undefined, 'queued'],
  ]);
});
