/**
 * Issue #11 item 5: `caraloom doctor` output (text and --json are both made
 * from these results) never holds any part of a key — not a prefix, not a
 * clipped value in a config error, not a key in the API URL, not an error
 * from the API or the network.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { runDoctor } from '../../cli/commands/doctor.js';
import { redactText } from '../../cli/doctor/redact.js';
import { tempDir } from '../helpers/temp.js';

/** Any 8 characters in a row taken from the key count as printing part of it. */
function leaks(output: string, key: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= key.length; i++) if (output.includes(key.slice(i, i + 8))) found.push(key.slice(i, i + 8));
  return found;
}

/** A far side that answers health 200 and every keyed call 401, echoing the key in its body and headers. */
async function echoingApi(t: ExecutionContext): Promise<string> {
  const server = http.createServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    if (req.url === '/v1/health') return res.end('{"status":"ok"}');
    res.writeHead(401, { 'content-type': 'application/json', 'x-echo': auth });
    res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: `key ${auth} is not valid` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Run doctor on a config file made of `yaml`; everything it would print, as one string. */
async function doctorOutput(t: ExecutionContext, yaml: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = tempDir(t, 'doctor-secrets-');
  const file = path.join(dir, 'caraloom.yaml');
  writeFileSync(file, yaml);
  const results = await runDoctor({ config: file, data: path.join(dir, 'data') }, env);
  t.true(results.length > 0);
  return `${JSON.stringify(results)}\n${results.map((check) => `${check.name} ${check.detail}`).join('\n')}`;
}

const ports = 'connector:\n  mllp: { port: 0 }\n  http: { port: 0 }\n';
const relay = 'relay:\n  port: 0\n';


/** A key shaped like a live one (`clk_live_` + base64url), built here so no key-like literal sits in the repository. */
const testLiveKey = (name: string): string => `clk_live_${Buffer.from(name).toString('base64url')}`;

test('doctor prints no part of a key that does not look like a caraloom key', async (t) => {
  const key = ['sk', 'live', '4eC39HqLyjWDarjtT1zdp7dc'].join('_'); // another vendor's live-key shape, built at run time
  const api = await echoingApi(t);
  const text = await doctorOutput(t, `${ports}  api:\n    url: ${api}\n${relay}`, { CARALOOM_API_KEY: key });
  t.regex(text, /does not look like a CaraLoom key/);
  t.deepEqual(leaks(text, key), []);
});

test('doctor names a valid key by its kind and length only, and the api echoing it back reaches no output', async (t) => {
  const key = testLiveKey('CaraLoomTestKey000001');
  const api = await echoingApi(t);
  const text = await doctorOutput(t, `${ports}  api:\n    url: ${api}\n    allowInsecureApi: true\n${relay}`, { CARALOOM_API_KEY: key });
  t.regex(text, new RegExp(`"name":"api key","detail":"a live key \\(${key.length} characters\\)"`));
  t.regex(text, /"status":"fail","name":"api auth"/);
  t.deepEqual(leaks(text, key), []);
  t.false(text.includes('clk_live_'), 'not even the prefix');
});

test('doctor prints no part of a key that sits in the api url of a failing request', async (t) => {
  const key = 'clk_sandbox_UXVlcnlTdHJpbmdLZXkwMDAwMDE';
  // The key in the query string: the reach check names the URL and the network error.
  const text = await doctorOutput(t, `${ports}  api:\n    url: 'http://127.0.0.1:9/?key=\${CARALOOM_API_KEY}'\n${relay}`, { CARALOOM_API_KEY: key });
  t.regex(text, /"status":"fail","name":"api reach","detail":"http:\/\/127\.0\.0\.1:9\/\?key=«redacted»/);
  t.deepEqual(leaks(text, key), []);
});

test('doctor prints no part of a key a config error would echo', async (t) => {
  const key = testLiveKey('ConfigErrorEchoKey0001');
  // A key referenced into a field that refuses it: the validation message shows what it got.
  const text = await doctorOutput(t, `connector:\n  mllp: { port: '\${MY_SITE_API_KEY}' }\n`, { MY_SITE_API_KEY: key });
  t.regex(text, /connector\.mllp\.port/);
  t.deepEqual(leaks(text, key), []);
});

test('doctor fails an http api url with a live key from the environment, without printing the key', async (t) => {
  const key = testLiveKey('InsecureApiKey0000001');
  const text = await doctorOutput(t, `${ports}  api:\n    url: http://api.caraloom.example\n${relay}`, { CARALOOM_API_KEY: key });
  t.regex(text, /"status":"fail","name":"api transport"/);
  t.deepEqual(leaks(text, key), []);
});

test('redaction takes out every run of eight or more characters shared with a secret', (t) => {
  const secret = ['clk', 'live', 'ABCDEFGHIJKLMNOP'].join('_'); // built at run time: no key-like literal in the repository
  t.is(redactText(`got "${secret.slice(0, 20)}…" and ${secret}`, [secret]), 'got "«redacted»…" and «redacted»');
  t.is(redactText('nothing secret here', [secret]), 'nothing secret here');
  t.is(redactText('clk_live', [secret]), '«redacted»');
});
