/**
 * Issue #11 item 5: header fields a sender controls (MSH-9, MSH-10; a
 * webhook's id and type; a request path) reach log lines only through
 * core/log-safe.ts — printable ASCII, quotes and control characters escaped,
 * at most 64 characters — and nothing else from a message is logged.
 */
import test from 'ava';
import { LOG_SAFE_MAX, logSafe } from '../../core/log-safe.js';
import { createLogger } from '../../core/logger.js';
import { connectorConfig } from '../../connector/config.js';
import { createConnector } from '../../connector/service.js';
import { sampleFile } from '../helpers/corpus.js';
import { MAPPINGS_DIR, mllpClient, readAck } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

const printableAscii = /^[\x20-\x7e]*$/;

const cases: Array<[string, string, string]> = [
  ['a newline that would forge a second record', 'A1\n{"level":50}', 'A1\\n{\\"level\\":50}'],
  ['a carriage return and a tab', 'A\rB\tC', 'A\\rB\\tC'],
  ['quotes and a backslash', `say "hi" it's \\`, `say \\"hi\\" it\\'s \\\\`],
  ['a terminal escape sequence', '\x1b[31mRED\x1b[0m', '\\x1b[31mRED\\x1b[0m'],
  ['a nul and a del', '\x00\x7f', '\\x00\\x7f'],
  ['latin-1 and beyond', 'Zoë→😀', 'Zo\\xeb\\u{2192}\\u{1f600}'],
  ['plain ids untouched', 'RB20261120143012001', 'RB20261120143012001'],
];

test('sender-controlled values are escaped to printable ascii', (t) => {
  for (const [name, input, expected] of cases) {
    t.is(logSafe(input), expected, name);
    t.regex(logSafe(input)!, printableAscii, name);
  }
  t.is(logSafe(undefined), undefined);
  t.is(logSafe(42), '42');
});

test('sender-controlled values are capped at 64 characters, never inside an escape', (t) => {
  const long = logSafe('x'.repeat(1024 * 1024))!;
  t.is(long, `${'x'.repeat(LOG_SAFE_MAX)}...`);
  const escapes = logSafe(`${'y'.repeat(62)}\x1b\x1b`)!;
  // 62 + "\x1b" (4) would pass 64: the escape is left out whole.
  t.is(escapes, `${'y'.repeat(62)}...`);
  t.is(logSafe('z'.repeat(LOG_SAFE_MAX)), 'z'.repeat(LOG_SAFE_MAX), 'exactly the cap is not cut');
});

test('a hostile msh-9 and msh-10 reach the connector log escaped and capped, and nothing else of the message does', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  const connector = createConnector({
    config: connectorConfig({ mllp: { port: 0 }, http: { port: 0 } }),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir: tempDir(t, 'log-escape-'),
    apiUrl: 'http://127.0.0.1:9',
    apiKey: 'clk_sandbox_0123456789abcdef',
    mappingsDir: MAPPINGS_DIR,
    logger,
  });
  await connector.start();
  t.teardown(() => connector.stop());
  const controlId = `CTL"'\x1b[2J\u00e9${'9'.repeat(200)}`;
  const type = `ZZ"\x1b]0;pwned\x07`;
  const sample = sampleFile('hl7/adt-a03-home-health.hl7').toString('latin1');
  // Both fields replaced in MSH; PID and the rest stay, so their content must not show up in the log.
  const hostile = sample.replace('ADT^A03^ADT_A03', type).replace('RB20261120143012001', controlId);
  const port = Number(new URL(connector.mllpUrl!.replace('mllp', 'http')).port);
  t.is(readAck(await mllpClient(t, port).send(Buffer.from(hostile, 'utf8'))).code, 'AR');
  const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const rejected = records.find((record) => record.msg === 'message rejected');
  t.truthy(rejected, lines.join(''));
  t.is(rejected!.controlId, logSafe(controlId));
  t.true(String(rejected!.controlId).length <= LOG_SAFE_MAX + 3);
  t.regex(String(rejected!.type), /^ZZ\\"\\x1b\]0;pwned\\x07/);
  const text = lines.join('');
  t.false(text.includes('\x1b') || text.includes('\\u001b'), 'no escape character, raw or JSON-escaped');
  for (const content of ['MRN10048213', 'Delgado', 'Shoal Creek', '19480312', '9'.repeat(100)]) t.false(text.includes(content), content);
});
