import type { CommandModule } from 'yargs';

export const upCommand: CommandModule = {
  command: 'up',
  describe: 'Start every service (sandbox, connector, relay) on this machine with embedded storage under ./.caraloom/',
  handler: async () => {
    console.log('nothing to start yet');
  },
};
