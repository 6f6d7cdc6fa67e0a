/**
 * One relay in its own process on the PostgreSQL journal, for tests that run
 * several and SIGKILL one. argv[2] is JSON {databaseUrl, schema, dataDir,
 * relay} (`relay` is the relay config section). Prints one JSON line {url}
 * once it listens. A stdin line `advance <ms>` moves its clock forward (so a
 * test need not wait out a lease) and answers `ok`.
 */
import readline from 'node:readline';
import { silentLogger } from '../../core/logger.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay } from '../../relay/service.js';

interface Args {
  databaseUrl: string;
  schema: string;
  dataDir: string;
  relay: Record<string, unknown>;
}

const args = JSON.parse(process.argv[2]!) as Args;
let offset = 0;
const clock = { now: () => Date.now() + offset };
const relay = createRelay({
  config: relayConfigSchema.parse(args.relay),
  store: { kind: 'postgres', url: args.databaseUrl, schema: args.schema, poolSize: 4, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
  dataDir: args.dataDir,
  logger: silentLogger(),
  clock,
  env: {},
});
const [listener] = await relay.start();
process.stdout.write(`${JSON.stringify({ url: listener!.url })}\n`);
const stop = () => void relay.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
const commands = readline.createInterface({ input: process.stdin });
commands.on('close', stop); // the test that started us is gone
commands.on('line', (line) => {
  const [command, ms] = line.split(' ');
  if (command === 'advance') {
    offset += Number(ms);
    relay.poke();
    process.stdout.write('ok\n');
  }
});
