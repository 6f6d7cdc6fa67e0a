// Child process: one connector on port 0 over a data folder, so its RSS is
// its own and the harness can SIGKILL it. argv[2] is JSON (ConnectorChildArgs);
// prints one JSON line {mllp, http, pid} once it listens, then runs until killed.
import { silentLogger } from '../../core/logger.js';
import { connectorConfig } from '../../connector/config.js';
import { createConnector } from '../../connector/service.js';

export interface ConnectorChildArgs {
  dataDir: string;
  apiUrl: string;
  apiKey: string;
  /** `connector:` overrides (deep-merged by the schema's defaults). */
  connector?: Record<string, unknown>;
  /** @default 'full' */
  synchronous?: 'full' | 'normal';
  /** MLLP port. @default 0 */
  port?: number;
}

const args = JSON.parse(process.argv[2]!) as ConnectorChildArgs;
const config = connectorConfig({
  ...args.connector,
  mllp: { port: args.port ?? 0, maxConnections: 2000, ...(args.connector?.mllp as object | undefined) },
  http: { port: 0 },
  api: { url: args.apiUrl, key: args.apiKey, ...(args.connector?.api as object | undefined) },
});
const connector = createConnector({ config, store: { kind: 'sqlite', synchronous: args.synchronous ?? 'full' }, dataDir: args.dataDir, logger: silentLogger() });
await connector.start();
process.stdout.write(`${JSON.stringify({ mllp: connector.mllpUrl, http: connector.httpUrl, pid: process.pid })}\n`);
const stop = () => void connector.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
