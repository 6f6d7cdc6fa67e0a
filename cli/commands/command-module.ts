import type { CommandModule } from 'yargs';

/**
 * A command of any argument shape: the list `caraloom --help` is built from
 * mixes commands whose option types differ, which yargs' generics cannot
 * express as one array type.
 */
// biome-ignore lint/suspicious/noExplicitAny: yargs' CommandModule<T, U> is invariant in its argument types; a heterogeneous list needs `any` here, once.
export type AnyCommandModule = CommandModule<any, any>;
