// Child process for the SIGKILL test: a relay on port 0 over the given data
// folder and relay config (JSON); prints its URL once it listens.
import { silentLogger } from '../../core/logger.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay } from '../../relay/service.js';

const [dataDir, json] = process.argv.slice(2);
const relay = createRelay({ config: relayConfigSchema.parse(JSON.parse(json!)), store: { kind: 'sqlite', synchronous: 'full' }, dataDir: dataDir!, logger: silentLogger(), env: {} });
const [listener] = await relay.start();
process.stdout.write(`${listener!.url}\n`);
