import test from 'ava';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { signCaraloom, signStandard } from '../../core/signature.js';
import { verifyWebhook } from '../../relay/verify.js';
import { sampleEvent, secret } from './_support.js';

const now = Date.UTC(2026, 0, 1, 12);
const seconds = Math.floor(now / 1000);
const { raw } = sampleEvent();
const body = Buffer.from(raw);
const base = { secrets: [secret], raw: body, now, toleranceMs: 300_000, requireTimestamp: false };

const standard = (at = seconds, key = secret) => ({ 'webhook-id': 'evt_1', 'webhook-timestamp': String(at), 'webhook-signature': signStandard(key, 'evt_1', at, body) });

test('a valid signature passes and an independent verifier agrees', async (t) => {
  const header = signCaraloom(secret, body);
  t.deepEqual(verifyWebhook({ ...base, headers: { 'x-caraloom-signature': header } }), { ok: true });
  t.true(await octokitVerify(secret, raw, header));
});

const refusals: Array<[string, Record<string, string>, string, Partial<typeof base>?]> = [
  ['missing header', {}, 'missing_signature'],
  ['empty header', { 'x-caraloom-signature': '' }, 'missing_signature'],
  ['tampered body', { 'x-caraloom-signature': signCaraloom(secret, raw.replace('Home Health', 'Hospice')) }, 'bad_signature'],
  ['wrong secret', { 'x-caraloom-signature': signCaraloom('whsec_another-secret-entirely', body) }, 'bad_signature'],
  ['upper-case hex', { 'x-caraloom-signature': `sha256=${signCaraloom(secret, body).slice(7).toUpperCase()}` }, 'bad_signature'],
  ['sha1 prefix', { 'x-caraloom-signature': signCaraloom(secret, body).replace('sha256=', 'sha1=') }, 'bad_signature'],
  ['old signed timestamp', { 'x-caraloom-signature': signCaraloom(secret, body), ...standard(seconds - 301) }, 'stale_timestamp'],
  ['future signed timestamp', { 'x-caraloom-signature': signCaraloom(secret, body), ...standard(seconds + 301) }, 'stale_timestamp'],
  ['forged standard signature', { 'x-caraloom-signature': signCaraloom(secret, body), ...standard(seconds), 'webhook-signature': 'v1,AAAA' }, 'bad_signature'],
  ['timestamp moved after signing', { 'x-caraloom-signature': signCaraloom(secret, body), ...standard(seconds - 3600), 'webhook-timestamp': String(seconds) }, 'bad_signature'],
  ['half the standard headers', { 'x-caraloom-signature': signCaraloom(secret, body), 'webhook-timestamp': String(seconds) }, 'bad_signature'],
  ['old unsigned timestamp', { 'x-caraloom-signature': signCaraloom(secret, body), 'x-caraloom-timestamp': String(seconds - 3600) }, 'stale_timestamp'],
  ['no timestamp when one is required', { 'x-caraloom-signature': signCaraloom(secret, body) }, 'missing_timestamp', { requireTimestamp: true }],
];

for (const [name, headers, reason, overrides] of refusals) {
  test(`refuses a request with ${name}`, (t) => {
    t.deepEqual(verifyWebhook({ ...base, ...overrides, headers }), { ok: false, reason: reason as never });
  });
}

test('a signed timestamp inside the window passes', (t) => {
  const verdict = verifyWebhook({ ...base, headers: { 'x-caraloom-signature': signCaraloom(secret, body), ...standard(seconds - 299) } });
  t.deepEqual(verdict, { ok: true, timestamp: seconds - 299 });
});

test('any of several active secrets passes during a rotation', (t) => {
  const next = 'whsec_bmV4dC1zZWNyZXQtYWZ0ZXItcm90YXRpb24=';
  for (const key of [secret, next]) {
    const verdict = verifyWebhook({ ...base, secrets: [next, secret], headers: { 'x-caraloom-signature': signCaraloom(key, body), ...standard(seconds, key) } });
    t.true(verdict.ok);
  }
});
