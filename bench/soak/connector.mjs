// Soak child: one connector over a data folder, as bench/children/connector.mjs,
// plus the top-level `retention:` section (argv JSON `retention`) so pruning
// runs at soak speed. Prints {mllp, http, pid} once it listens.
const root = process.env.CARALOOM_ROOT;
const { silentLogger } = await import(`${root}/core/logger.js`);
const { connectorConfig } = await import(`${root}/connector/config.js`);
const { retentionConfig } = await import(`${root}/core/config/retention.js`);
const { createConnector } = await import(`${root}/connector/service.js`);

const args = JSON.parse(process.argv[2]);
const overrides = args.connector ?? {};
const config = connectorConfig({
  ...overrides,
  mllp: { port: 0, maxConnections: 2000, maxConnectionsPerPeer: 2000, ...overrides.mllp },
  http: { port: 0, ...overrides.http },
  api: { url: args.apiUrl, key: args.apiKey, ...overrides.api },
});
const connector = createConnector({
  config,
  store: { kind: 'sqlite', synchronous: 'full', minFreeDisk: 0 },
  dataDir: args.dataDir,
  retention: retentionConfig(args.retention ?? {}),
  logger: silentLogger(),
});
await connector.start();
process.stdout.write(`${JSON.stringify({ mllp: connector.mllpUrl, http: connector.httpUrl, pid: process.pid })}\n`);
const stop = () => void connector.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
