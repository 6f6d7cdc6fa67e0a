// Child process: one relay on port 0 over a data folder (so it can be
// SIGKILLed and its memory is its own). argv[2] is JSON {dataDir, relay, synchronous?};
// prints one JSON line {url, pid} once it listens.
import { silentLogger } from '../../core/logger.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay } from '../../relay/service.js';

const args = JSON.parse(process.argv[2]!) as { dataDir: string; relay: Record<string, unknown>; synchronous?: 'full' | 'normal' };
const relay = createRelay({
  config: relayConfigSchema.parse({ port: 0, ...args.relay }),
  store: { kind: 'sqlite', synchronous: args.synchronous ?? 'full' },
  dataDir: args.dataDir,
  logger: silentLogger(),
  env: {},
});
const [listener] = await relay.start();
process.stdout.write(`${JSON.stringify({ url: listener!.url, pid: process.pid })}\n`);
const stop = () => void relay.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
