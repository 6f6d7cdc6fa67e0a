/**
 * Issue #11 item 4: a real (non-sandbox) API key over `http://` to another
 * host would cross the network in clear text with patient data. It is refused
 * at start-up — in config when the key is written there, at service start when
 * it comes from the environment — unless `allowInsecureApi` says lab use.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { configFrom } from '../../config/load.js';
import { ConfigError } from '../../core/errors.js';
import { insecureApiProblem } from '../../connector/config.js';
import { startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

// Built at run time, so no key-like literal sits in the repository.
const liveKey = ['clk', 'live', '0123456789abcdefABCDEF'].join('_');

test('an http api url with a live key in config is refused naming connector.api.url', (t) => {
  const error = t.throws(() => configFrom({ connector: { api: { url: 'http://api.caraloom.example', key: liveKey } } }, {}), { instanceOf: ConfigError });
  t.regex(error!.message, /connector\.api\.url: an http:\/\/ API URL with a non-sandbox key/);
  t.notRegex(error!.message, /0123456789abcdef/, 'the key is not shown');
});

test('an http api url with a live key from the environment is refused when the connector starts', async (t) => {
  const error = await t.throwsAsync(startConnector(t, { apiUrl: 'http://10.20.30.40:8080', apiKey: liveKey }), { instanceOf: ConfigError });
  t.regex(error!.message, /connector\.api\.url: .*allowInsecureApi/);
});

test('allowInsecureApi lets an http api url with a live key start', async (t) => {
  const { connector } = await startConnector(t, { apiUrl: 'http://10.20.30.40:8080', apiKey: liveKey, config: { api: { allowInsecureApi: true } } });
  t.truthy(connector.httpUrl);
});

const cases: Array<[string, string, string | undefined, boolean]> = [
  ['https with a live key', 'https://api.caraloom.example', liveKey, true],
  ['http with a sandbox key', 'http://sandbox.lab', 'clk_sandbox_0123456789abcdef', true],
  ['http with no key', 'http://sandbox.lab', undefined, true],
  ['http to loopback with a live key', 'http://127.0.0.1:8080', liveKey, true],
  ['http to localhost with a live key', 'http://localhost:8080', liveKey, true],
  ['http to another host with a live key', 'http://api.caraloom.example', liveKey, false],
  ['HTTP in capitals to another host with a live key', 'HTTP://api.caraloom.example', liveKey, false],
];

test('which api url and key pairs may start', (t) => {
  for (const [name, url, key, allowed] of cases) t.is(insecureApiProblem(url, key, false) === undefined, allowed, name);
});

test('relay register refuses an http api url with a live key before sending it', async (t) => {
  const run = promisify(execFile);
  const cli = [path.resolve('test/helpers/cli-entry.ts'), 'relay', 'register', '--api-url', 'http://api.caraloom.example', '--data', tempDir(t)];
  const error = await t.throwsAsync(run(process.execPath, ['--import', 'tsx', ...cli], { env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent', CARALOOM_API_KEY: liveKey } }));
  const stderr = String((error as { stderr?: string }).stderr);
  t.regex(stderr, /--api-url: an http:\/\/ API URL with a non-sandbox key/);
  t.false(stderr.includes(liveKey));
});
