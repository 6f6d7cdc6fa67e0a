import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { silentLogger } from '../../core/logger.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { runDoctor } from '../../cli/commands/doctor.js';
import { tempDir } from '../helpers/temp.js';

async function setup(t: ExecutionContext) {
  const dir = tempDir(t);
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: path.join(dir, 'sandbox'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('doctor@example.com');
  const config = path.join(dir, 'caraloom.yaml');
  writeFileSync(config, `connector:\n  mllp: { port: 0 }\n  http: { port: 0 }\n  api:\n    url: ${sandbox.url}\nrelay:\n  port: 0\n`);
  return { dir, key, config };
}

const byName = (results: Awaited<ReturnType<typeof runDoctor>>) => Object.fromEntries(results.map((check) => [check.name, check.status]));

test('doctor passes a working install and names what is only a warning', async (t) => {
  const { dir, key, config } = await setup(t);
  const results = byName(await runDoctor({ config, data: path.join(dir, 'data') }, { CARALOOM_API_KEY: key }));
  t.like(results, { config: 'ok', 'hl7 mappings': 'ok', journal: 'ok', 'api key': 'ok', 'api reach': 'ok', 'api auth': 'ok', 'relay secrets': 'warn' });
});

test('doctor fails a key the api does not accept, without printing it', async (t) => {
  const { dir, config } = await setup(t);
  const wrong = 'clk_sandbox_000000000000000000000000wrong';
  const results = await runDoctor({ config, data: path.join(dir, 'data') }, { CARALOOM_API_KEY: wrong });
  t.is(byName(results)['api auth'], 'fail');
  t.false(JSON.stringify(results).includes(wrong));
});

test('doctor stops at a config that does not validate, naming the path', async (t) => {
  const dir = tempDir(t);
  const config = path.join(dir, 'bad.yaml');
  writeFileSync(config, 'connector:\n  mllp: { port: nope }\n');
  const results = await runDoctor({ config, data: dir }, {});
  t.is(results.length, 1);
  t.is(results[0]!.status, 'fail');
  t.regex(results[0]!.detail, /connector\.mllp\.port/);
});
