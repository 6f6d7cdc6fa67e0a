import type { CommandModule } from 'yargs';

/** `caraloom sandbox`, `caraloom sandbox key`: owned by sandbox/. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const sandboxCommands: CommandModule<any, any>[] = [];
