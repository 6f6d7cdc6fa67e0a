import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parseYaml, validate } from '../../core/config/load.js';
import { ConfigError } from '../../core/errors.js';
import { relayConfigSchema } from '../../relay/config.js';
import { parseQuickSubscriber } from '../../relay/quick-subscriber.js';
import { resolveTemplate } from '../../relay/subscribers.js';

/** The example file's relay section with its commented-out subscribers switched on. */
function exampleRelaySection(): unknown {
  const text = readFileSync('config/caraloom.example.yaml', 'utf8');
  const rest = text.slice(text.indexOf('\nrelay:') + 1);
  // Up to the next top-level key (the console: section follows).
  const end = rest.slice(1).search(/\n[a-z]/);
  const section = end === -1 ? rest : rest.slice(0, end + 1);
  let inSubscribers = false;
  const lines = section.split('\n').map((line) => {
    if (line.startsWith('  subscribers: []')) {
      inSubscribers = true;
      return '  subscribers:';
    }
    return inSubscribers && line.startsWith('  # ') ? `  ${line.slice(4)}` : line;
  });
  return (parseYaml(lines.join('\n').replace(/\$\{[A-Z_]+\}/g, 'whsec_example-secret-value'), 'example') as { relay: unknown }).relay;
}

test('the example relay section with every sample subscriber validates', (t) => {
  const relay = validate(relayConfigSchema, exampleRelaySection(), 'example');
  t.deepEqual(relay.subscribers.map((subscriber) => `${subscriber.name}:${subscriber.kind}`), ['worklist:http', 'emr:mllp', 'demo:file', 'audit:log']);
  t.is(relay.tolerance, 300_000);
  t.deepEqual(relay.retry.schedule, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
});

test('a bad relay section lists every bad path', (t) => {
  const error = t.throws(
    () => validate(relayConfigSchema, { port: 70_000, tolerance: 'soon', subscribers: [{ name: 'EHR!', kind: 'http', url: 'ftp://x' }, { name: 'm', kind: 'mllp', host: 'h' }] }, 'relay.yaml'),
    { instanceOf: ConfigError },
  );
  for (const path of ['port', 'tolerance', 'subscribers.0.name', 'subscribers.0.url', 'subscribers.1.port']) t.true(error.message.includes(path), path);
});

test('a dedupe window shorter than the api retry schedule is refused', (t) => {
  const parsed = relayConfigSchema.safeParse({ dedupeWindow: '1d' });
  t.false(parsed.success);
  t.regex(parsed.error!.issues[0]!.message, /at least 30h/);
});

test('duplicate subscriber names are refused', (t) => {
  const parsed = relayConfigSchema.safeParse({ subscribers: [{ name: 'a', kind: 'log' }, { name: 'a', kind: 'log' }] });
  t.false(parsed.success);
  t.regex(parsed.error!.issues[0]!.message, /duplicate subscriber name a/);
});

// Durations are tested in test/core/duration.ts.

const quick: Array<[string, Record<string, unknown>]> = [
  ['ehr=https://ehr.example/hooks', { name: 'ehr', kind: 'http', url: 'https://ehr.example/hooks' }],
  ['demo=file:./events.jsonl', { name: 'demo', kind: 'file', path: './events.jsonl' }],
  ['audit=log:', { name: 'audit', kind: 'log' }],
  ['emr=mllp://10.0.0.5:6661', { name: 'emr', kind: 'mllp', host: '10.0.0.5', port: 6661 }],
];
for (const [spec, expected] of quick) {
  test(`--subscriber ${spec} becomes a ${expected.kind} subscriber`, (t) => {
    t.deepEqual(parseQuickSubscriber(spec, {}), expected);
  });
}

test('--subscriber without a name is refused with an example', (t) => {
  t.throws(() => parseQuickSubscriber('https://ehr.example/hooks', {}), { message: /expects NAME=URL/ });
});

test('a shipped template is found from any working directory', (t) => {
  const found = resolveTemplate(tmpdir(), 'mappings/relay/referral-rri-i12.yaml');
  t.is(found, path.resolve('mappings/relay/referral-rri-i12.yaml'));
  t.is(resolveTemplate(tmpdir(), '/etc/caraloom/x.yaml'), '/etc/caraloom/x.yaml');
});
