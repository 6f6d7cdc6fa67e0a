import test from 'ava';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signCaraloom, signStandard, verifyCaraloom, verifyStandard } from '../../core/signature.js';

const body = Buffer.from('{"id":"evt_1","type":"ping","data":{}}');

test('caraloom signature is what an independent verifier accepts', async (t) => {
  const header = signCaraloom('s3cret', body);
  t.regex(header, /^sha256=[0-9a-f]{64}$/);
  t.true(await octokitVerify('s3cret', body.toString('utf8'), header));
  t.true(verifyCaraloom(['s3cret'], body, header));
});

const refusals: Array<[string, string[], Buffer, string | undefined]> = [
  ['tampered body fails', ['s3cret'], Buffer.from(`${body.toString()} `), signCaraloom('s3cret', body)],
  ['wrong secret fails', ['other'], body, signCaraloom('s3cret', body)],
  ['missing header fails', ['s3cret'], body, undefined],
  ['upper-case hex fails', ['s3cret'], body, signCaraloom('s3cret', body).toUpperCase().replace('SHA256=', 'sha256=')],
  ['a header without the sha256= prefix fails', ['s3cret'], body, signCaraloom('s3cret', body).slice(7)],
];
for (const [title, secrets, raw, header] of refusals) {
  test(title, (t) => t.false(verifyCaraloom(secrets, raw, header)));
}

test('any active secret verifies during rotation', (t) => {
  t.true(verifyCaraloom(['new', 's3cret'], body, signCaraloom('s3cret', body)));
});

test('standard webhooks signature verifies with the standardwebhooks package', (t) => {
  const secret = generateSecret();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signStandard(secret, 'msg_1', timestamp, body);
  const verified = new Webhook(secret).verify(body.toString('utf8'), { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });
  t.deepEqual(verified, JSON.parse(body.toString('utf8')));
  t.true(verifyStandard([secret], 'msg_1', timestamp, body, `v1,bogus ${signature}`));
  t.false(verifyStandard([secret], 'msg_1', timestamp + 1, body, signature));
});
