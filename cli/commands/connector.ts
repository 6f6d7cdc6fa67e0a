import type { CommandModule } from 'yargs';

/** `caraloom connector`, `send`, `map`, `messages`: owned by connector/. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const connectorCommands: CommandModule<any, any>[] = [];
