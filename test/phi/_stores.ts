/**
 * The two journals every PHI test runs on: SQLite in the test's temp folder,
 * and PostgreSQL in a schema of its own (test/helpers/postgres.ts).
 */
import type { ExecutionContext } from 'ava';
import { storeSchema, type StoreConfig } from '../../core/config/store.js';
import { freshSchema, testDatabaseUrl } from '../helpers/postgres.js';

export const storeKinds = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof storeKinds)[number];

export function storeFor(t: ExecutionContext, kind: StoreKind): StoreConfig {
  return kind === 'sqlite' ? storeSchema.parse({ kind: 'sqlite', synchronous: 'normal' }) : storeSchema.parse({ kind: 'postgres', url: testDatabaseUrl, schema: freshSchema(t), poolSize: 4, connectTimeoutMs: 10_000 });
}

/** Strings of the sample A03 (test samples, not real people) that must never reach a body below role phi. */
export const samplePhi = ['Delgado', 'MRN10048213', 'Shoal Creek', '19480312'];

export const tokens = {
  viewer: 'viewer-token-0123456789',
  operator: 'operator-token-0123456789',
  phi: 'phi-token-0123456789abcd',
};

export const adminTokens = Object.entries(tokens).map(([role, token]) => ({ name: `${role}-user`, token, role }));
