// Child process: the sandbox with rate limits off (a benchmark is not a
// sandbox user) and a key issued into its data folder. Imports the product
// from CARALOOM_ROOT (see connector.mjs). argv[2] is JSON {dataDir, sandbox?};
// prints {url, key, pid}: the key is a throwaway local sandbox key, and handing
// it to the harness is this file's job.
const root = process.env.CARALOOM_ROOT;
const { silentLogger } = await import(`${root}/core/logger.js`);
const { createSandbox, sandboxConfig } = await import(`${root}/sandbox/service.js`);

const args = JSON.parse(process.argv[2]);
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
