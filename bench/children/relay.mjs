// Child process: one relay over a data folder (SIGKILL-able, its own RSS).
// Imports the product from CARALOOM_ROOT (see connector.mjs). argv[2] is JSON
// {dataDir, relay: {…section}, synchronous?, retention?: {…section}}; prints {url, pid} once it listens.
const root = process.env.CARALOOM_ROOT;
const { silentLogger } = await import(`${root}/core/logger.js`);
const { relayConfigSchema } = await import(`${root}/relay/config.js`);
const { retentionConfig } = await import(`${root}/core/config/retention.js`);
const { createRelay } = await import(`${root}/relay/service.js`);

const args = JSON.parse(process.argv[2]);
const relay = createRelay({
  config: relayConfigSchema.parse({ port: 0, ...args.relay }),
  store: { kind: 'sqlite', synchronous: args.synchronous ?? 'full', minFreeDisk: args.minFreeDisk ?? 0 },
  dataDir: args.dataDir,
  // The soak runs retention; the other benches keep the service's default.
  ...(args.retention === undefined ? {} : { retention: retentionConfig(args.retention) }),
  logger: silentLogger(),
  env: {},
});
const [listener] = await relay.start();
process.stdout.write(`${JSON.stringify({ url: listener.url, pid: process.pid })}\n`);
const stop = () => void relay.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
