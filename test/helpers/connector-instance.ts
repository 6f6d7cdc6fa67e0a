/**
 * One connector in its own process on the PostgreSQL journal, for tests that
 * run several and SIGKILL one. argv[2] is JSON {databaseUrl, schema, apiUrl,
 * apiKey, dataDir}. Prints one JSON line {mllp, pid} once it listens. Its
 * clock is the system clock plus an offset: a stdin line `advance <ms>` moves
 * it forward (so a test need not wait out a lease) and answers `ok`.
 */
import readline from 'node:readline';
import { silentLogger } from '../../core/logger.js';
import { connectorConfig } from '../../connector/config.js';
import { createConnector } from '../../connector/service.js';

interface Args {
  databaseUrl: string;
  schema: string;
  apiUrl: string;
  apiKey: string;
  dataDir: string;
}

const args = JSON.parse(process.argv[2]!) as Args;
let offset = 0;
const clock = { now: () => Date.now() + offset };
// API timeout 2 s → the worker's lease is 2 × 2 s + 30 s = 34 s.
const config = connectorConfig({ mllp: { port: 0 }, http: { port: 0 }, api: { url: args.apiUrl, key: args.apiKey, timeoutMs: 2_000 } });
const connector = createConnector({
  config,
  store: { kind: 'postgres', url: args.databaseUrl, schema: args.schema, poolSize: 4, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
  dataDir: args.dataDir,
  logger: silentLogger(),
  clock,
});
await connector.start();
process.stdout.write(`${JSON.stringify({ mllp: connector.mllpUrl, pid: process.pid })}\n`);
const stop = () => void connector.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
const commands = readline.createInterface({ input: process.stdin });
commands.on('close', stop); // the test that started us is gone
commands.on('line', (line) => {
  const [command, ms] = line.split(' ');
  if (command === 'advance') {
    offset += Number(ms);
    connector.poke();
    process.stdout.write('ok\n');
  }
});
