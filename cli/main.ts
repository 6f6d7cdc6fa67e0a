import yargs from 'yargs';
import { ConfigError, isCaraloomError } from '../core/errors.js';
import { commandModules } from './commands/index.js';

/** Entry point of the `caraloom` command; `bin/caraloom.js` calls it. */
export async function main(argv: string[]): Promise<void> {
  // Everything the CLI writes (data folders, journals, keys, backups, exports)
  // holds or guards patient data: private to the service's user, whatever the
  // umask it was started under (issue #13.1).
  process.umask(0o077);
  const cli = yargs(argv)
    .scriptName('caraloom')
    .usage('$0 <command> [options]\n\nCaraLoom Connect: HL7 v2 / FHIR to the CaraLoom Discharge API, with a local sandbox and a webhook relay.')
    .strict()
    .demandCommand(1, 'Name a command: `caraloom up` starts everything.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      console.error(`${message}\n\nRun \`caraloom --help\` for usage.`);
      process.exit(2);
    });
  for (const module of commandModules) cli.command(module);
  try {
    await cli.parseAsync();
  } catch (error) {
    // Config and usage errors are for people: print the message, not a stack.
    if (error instanceof ConfigError || isCaraloomError(error)) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
