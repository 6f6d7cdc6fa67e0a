/**
 * Journal size and free disk, read at scrape time: the two numbers an
 * operator needs before the disk fills (the disk floor refuses work below a
 * threshold; the alert fires earlier).
 */
import { readdirSync, statSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import { metricPrefix, type ServiceName } from './registry.js';

export interface StorageGaugeOptions {
  service: ServiceName;
  /** The data folder (its filesystem is measured). */
  dataDir: string;
  /** SQLite journal base name (`connector` → connector.db, -wal, -shm); none on PostgreSQL. */
  sqliteName?: string;
}

export function addStorageGauges(registry: Registry, options: StorageGaugeOptions): void {
  const prefix = metricPrefix(options.service);
  new Gauge({
    name: `${prefix}disk_free_bytes`,
    help: 'Bytes available to the service on the filesystem of its data folder',
    registers: [registry],
    collect() {
      try {
        const stats = statfsSync(options.dataDir);
        this.set(stats.bavail * stats.bsize);
      } catch {
        // The folder is gone or unreadable: leave the series out rather than report 0.
      }
    },
  });
  if (options.sqliteName === undefined) return;
  const base = `${options.sqliteName}.db`;
  new Gauge({
    name: `${prefix}journal_size_bytes`,
    help: 'Size of the SQLite journal files (database, WAL and shared memory)',
    registers: [registry],
    collect() {
      let bytes = 0;
      try {
        for (const name of readdirSync(options.dataDir)) if (name === base || name.startsWith(`${base}-`)) bytes += statSync(path.join(options.dataDir, name)).size;
        this.set(bytes);
      } catch {
        // As above.
      }
    },
  });
}
