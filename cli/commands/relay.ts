import type { CommandModule } from 'yargs';

/** `caraloom relay`, `events`, `deliveries`, `subscribers`: owned by relay/. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const relayCommands: CommandModule<any, any>[] = [];
