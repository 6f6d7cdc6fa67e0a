// Child process for the FHIR SIGKILL test: a real connector on port 0 with
// the given data folder and API; prints `ready <http port>` once it
// listens, then runs until killed.
import { silentLogger } from '../../core/logger.js';
import { connectorConfig } from '../../connector/config.js';
import { createConnector } from '../../connector/service.js';

const [dataDir, apiUrl, apiKey, mappingsDir] = process.argv.slice(2);
const connector = createConnector({
  config: connectorConfig({ mllp: { port: 0 }, http: { port: 0, tokens: ['hl7-token-0123456789'] }, api: { timeoutMs: 1_000 }, delivery: { retrySchedule: [0.2, 0.2, 0.5, 1, 1, 1], concurrency: 4 } }),
  store: { kind: 'sqlite', synchronous: 'full' },
  dataDir: dataDir!,
  apiUrl: apiUrl!,
  apiKey: apiKey!,
  mappingsDir: mappingsDir!,
  logger: silentLogger(),
});
await connector.start();
process.stdout.write(`ready ${new URL(connector.httpUrl!).port}\n`);
process.on('SIGTERM', () => void connector.stop().then(() => process.exit(0)));
