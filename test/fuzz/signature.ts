import test from 'ava';
import fc from 'fast-check';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signCaraloom, signStandard, verifyCaraloom, verifyStandard } from '../../core/signature.js';

const secret = fc.string({ minLength: 8, maxLength: 64 });
const body = fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes));
const whsec = fc.uint8Array({ minLength: 24, maxLength: 24 }).map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
const flip = (raw: Buffer, at: number, bit: number) => {
  const copy = Buffer.from(raw);
  copy[at % copy.length]! ^= 1 << bit;
  return copy;
};

test('a caraloom signature verifies for any secret and body', (t) => {
  fc.assert(fc.property(secret, body, (s, raw) => verifyCaraloom([s], raw, signCaraloom(s, raw))), { numRuns: 300 });
  t.true(verifyCaraloom(['k'.repeat(8)], 'x', signCaraloom('k'.repeat(8), 'x')));
});

test('any flipped bit of the body fails caraloom verification', (t) => {
  fc.assert(
    fc.property(secret, body.filter((b) => b.length > 0), fc.nat(), fc.integer({ min: 0, max: 7 }), (s, raw, at, bit) => !verifyCaraloom([s], flip(raw, at, bit), signCaraloom(s, raw))),
    { numRuns: 300 },
  );
  t.false(verifyCaraloom(['secret-1'], 'a', signCaraloom('secret-1', 'b')));
});

test('another secret fails and a rotated pair passes', (t) => {
  fc.assert(
    fc.property(secret, secret, body, (a, b, raw) => {
      fc.pre(a !== b);
      return !verifyCaraloom([b], raw, signCaraloom(a, raw)) && verifyCaraloom([b, a], raw, signCaraloom(a, raw));
    }),
    { numRuns: 300 },
  );
  t.true(verifyCaraloom(['old-secret', 'new-secret'], 'x', signCaraloom('new-secret', 'x')));
});

test('arbitrary header strings never throw and never verify', (t) => {
  fc.assert(
    fc.property(secret, body, fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 70 }).map((s) => `sha256=${s}`), fc.constant(undefined), fc.constant(null)), (s, raw, header) => !verifyCaraloom([s], raw, header) && !verifyStandard([s], 'id', 1, raw, header)),
    { numRuns: 500 },
  );
  t.false(verifyCaraloom(['secret-1'], 'x', 'sha256=zz'));
});

test('caraloom signatures match an independent implementation', async (t) => {
  const samples = fc.sample(fc.tuple(secret, fc.string({ minLength: 1, maxLength: 500 })), 100);
  for (const [s, text] of samples) t.true(await octokitVerify(s, text, signCaraloom(s, text)));
});

test('standard webhooks signatures verify and bind id and timestamp', (t) => {
  fc.assert(
    fc.property(whsec, fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 2 ** 31 }), body, (s, id, ts, raw) => {
      const header = signStandard(s, id, ts, raw);
      return verifyStandard([s], id, ts, raw, header) && !verifyStandard([s], `${id}x`, ts, raw, header) && !verifyStandard([s], id, ts + 1, raw, header);
    }),
    { numRuns: 300 },
  );
  t.false(verifyStandard([generateSecret()], 'a', 1, 'b', 'v1,AAAA'));
});

test('standard webhooks signatures match the reference library', (t) => {
  const samples = fc.sample(fc.tuple(whsec, fc.string({ minLength: 1, maxLength: 30 }).filter((id) => !id.includes(' ')), fc.json({ maxDepth: 3 })), 100);
  for (const [s, id, text] of samples) {
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(s, id, ts, text) };
    t.notThrows(() => new Webhook(s).verify(text, headers));
  }
});
