/** JSON log lines: each key once, nested components joined (issue #12 §2). */
import { Writable } from 'node:stream';
import test from 'ava';
import { parseDocument } from 'yaml';
import { createLogger, mergeBindings } from '../../core/logger.js';
import { createMllpServer } from '../../core/mllp/server.js';

/** A destination that keeps every line written. */
function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { stream, lines };
}

/** Keys that occur twice in one object of a JSON text (JSON.parse keeps the last silently; YAML with uniqueKeys says so). */
function duplicateKeyErrors(line: string): string[] {
  return parseDocument(line, { uniqueKeys: true }).errors.map((error) => error.message);
}

test('a line from a component under a component has each key once', (t) => {
  const { stream, lines } = capture();
  const logger = createLogger({ destination: stream });
  logger.child({ component: 'connector' }).child({ component: 'mllp-server' }).child({ peer: 'a' }).child({ peer: 'b' }).info('listening');
  t.is(lines.length, 1);
  t.deepEqual(duplicateKeyErrors(lines[0]!), []);
  t.like(JSON.parse(lines[0]!), { component: 'connector.mllp-server', peer: 'b', service: 'caraloom', msg: 'listening' });
});

test('the duplicate-key check itself finds a repeated key', (t) => {
  t.true(duplicateKeyErrors('{"component":"connector","component":"mllp-server"}').length > 0);
});

test('a child component that already names its parent is kept as it is', (t) => {
  t.deepEqual(mergeBindings({ component: 'connector' }, { component: 'connector.ingest' }), { component: 'connector.ingest' });
  t.deepEqual(mergeBindings({ component: 'connector' }, { component: 'connector' }), { component: 'connector' });
  t.deepEqual(mergeBindings({ component: 'relay', subscriber: 'a' }, { subscriber: 'b' }), { component: 'relay', subscriber: 'b' });
});

test('the real mllp server logs under its parent component with unique keys', async (t) => {
  const { stream, lines } = capture();
  const logger = createLogger({ destination: stream, level: 'debug' }).child({ component: 'connector' });
  const server = createMllpServer({ host: '127.0.0.1', port: 0, logger, onFrame: () => ({ payload: Buffer.from('') }) as never });
  await server.start();
  await server.stop();
  t.true(lines.length > 0);
  for (const line of lines) t.deepEqual(duplicateKeyErrors(line), [], line);
  t.true(lines.some((line) => (JSON.parse(line) as { component?: string }).component === 'connector.mllp-server'));
});
