// Child process: the sandbox on port 0 with rate limits off (a benchmark is
// not a sandbox user), a key issued into its data folder. argv[2] is JSON
// {dataDir, sandbox?}; prints {url, key, pid}. The key is a throwaway local
// sandbox key, printed because passing it to the harness is this file's job.
import { silentLogger } from '../../core/logger.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';

const args = JSON.parse(process.argv[2]!) as { dataDir: string; sandbox?: Record<string, unknown> };
const sandbox = createSandbox({
  config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0, ...args.sandbox }),
  store: { kind: 'sqlite', synchronous: 'full' },
  dataDir: args.dataDir,
  logger: silentLogger(),
});
const key = await sandbox.issueKey('bench@example.invalid');
await sandbox.start();
process.stdout.write(`${JSON.stringify({ url: sandbox.url, key, pid: process.pid })}\n`);
const stop = () => void sandbox.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
