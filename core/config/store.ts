import { z } from 'zod';
import { byteSizeSchema } from './byte-size.js';

/** Where the journal lives. SQLite is embedded; PostgreSQL lets several instances share work. */
export const storeSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('sqlite'),
      /** `full` survives power loss; `normal` survives a killed process only. @default 'full' */
      synchronous: z.enum(['full', 'normal']).default('full'),
      /**
       * Refuse new messages (AR 207 / 503) while the journal's disk has less free
       * space than this (`512MB`, `2GB`; binary units); `0` off. Checked before
       * SQLite would fail with ENOSPC; intake resumes on its own. @default 512MB
       */
      minFreeDisk: byteSizeSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal('postgres'),
      /** Connection URL, normally `${DATABASE_URL}`. */
      url: z.string().min(1),
      /** Schema holding the journal tables. @default 'caraloom' */
      schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case SQL identifier').default('caraloom'),
      /** Connections in this instance's pool. @default 10 */
      poolSize: z.number().int().min(1).max(200).default(10),
      /** How long to wait for a connection before answering "storage unavailable" (AR 207 / 503). @default 5000 */
      connectTimeoutMs: z.number().int().min(100).max(120_000).default(5_000),
      /** Server-side limit on one statement, so a stuck database fails fast instead of holding ACKs. @default 30000 */
      statementTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    }),
  ])
  .prefault({ kind: 'sqlite' });

export type StoreConfig = z.infer<typeof storeSchema>;
