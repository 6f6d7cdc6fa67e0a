// Child process: one connector over a data folder, so its RSS is its own and
// the harness can SIGKILL it. Plain JS importing the product from CARALOOM_ROOT:
// the compiled build (`npm run bench` builds one, as production runs) or the
// sources under tsx (tests, faults). argv[2] is JSON:
//   { dataDir, apiUrl, apiKey, port?: 0, synchronous?: 'full', connector?: {…section overrides} }
// Prints one JSON line {mllp, http, pid} once it listens; runs until killed.
const root = process.env.CARALOOM_ROOT;
const { silentLogger } = await import(`${root}/core/logger.js`);
const { connectorConfig } = await import(`${root}/connector/config.js`);
const { createConnector } = await import(`${root}/connector/service.js`);

const args = JSON.parse(process.argv[2]);
const overrides = args.connector ?? {};
const config = connectorConfig({
  ...overrides,
  // Every bench peer connects from 127.0.0.1: the per-peer limit would measure itself.
  mllp: { port: args.port ?? 0, maxConnections: 2000, maxConnectionsPerPeer: 2000, ...overrides.mllp },
  http: { port: 0 },
  api: { url: args.apiUrl, key: args.apiKey, ...overrides.api },
});
// The storage fault run fills a 16 MB tmpfs on purpose: no disk floor in children (it would refuse first).
const connector = createConnector({ config,
  store: { kind: 'sqlite', synchronous: args.synchronous ?? 'full', minFreeDisk: args.minFreeDisk ?? 0 }, dataDir: args.dataDir, logger: silentLogger() });
await connector.start();
process.stdout.write(`${JSON.stringify({ mllp: connector.mllpUrl, http: connector.httpUrl, pid: process.pid })}\n`);
const stop = () => void connector.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
