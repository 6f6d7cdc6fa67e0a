/**
 * Online backup and restore of an embedded data folder (SQLite journals and
 * the small state files beside them), while the services keep running.
 *
 * Each `*.db` is copied with SQLite's online backup API (better-sqlite3's
 * `backup()`, which reads a consistent snapshot while writers go on in WAL
 * mode), never by copying the file, which could tear a page mid-write. Stored
 * payloads are copied as they are in the journal, so encrypted content stays
 * encrypted. The data-encryption key files are deliberately NOT in the
 * backup: a backup and its key must be kept apart (docs/operations.md).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CaraloomError } from './errors.js';

/** Files of a data folder that never go into a backup: keys, SQLite side files, temporaries. */
const excluded = [/^data-key/, /\.key$/, /-wal$/, /-shm$/, /-journal$/, /\.tmp$/, /^\.backup-/];

export interface BackupResult {
  file: string;
  databases: string[];
  files: string[];
  bytes: number;
}

export class BackupError extends CaraloomError {
  constructor(message: string, cause?: unknown) {
    super('BACKUP_FAILED', message, { status: 500, expose: true, cause });
    this.name = 'BackupError';
  }
}

/** Back up `dataDir` into the tar.gz `out` (mode 0600, written to a temporary name and renamed). */
export async function backupDataDir(dataDir: string, out: string): Promise<BackupResult> {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new BackupError(`${dataDir} is not a data folder`);
  const stage = mkdtempSync(path.join(os.tmpdir(), 'caraloom-backup-'));
  chmodSync(stage, 0o700);
  const databases: string[] = [];
  const files: string[] = [];
  try {
    for (const name of readdirSync(dataDir).sort()) {
      const source = path.join(dataDir, name);
      if (!statSync(source).isFile() || excluded.some((pattern) => pattern.test(name))) continue;
      const target = path.join(stage, name);
      if (name.endsWith('.db')) {
        const db = new Database(source, { readonly: true, fileMustExist: true });
        try {
          await db.backup(target);
        } finally {
          db.close();
        }
        databases.push(name);
      } else {
        copyFileSync(source, target);
        files.push(name);
      }
      chmodSync(target, 0o600);
    }
    if (databases.length === 0) throw new BackupError(`${dataDir} holds no journal (*.db): nothing to back up`);
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const partial = `${out}.${process.pid}.tmp`;
    execFileSync('tar', ['-C', stage, '--owner=0', '--group=0', '--mode=go-rwx', '-czf', partial, ...databases, ...files], { stdio: 'pipe' });
    chmodSync(partial, 0o600);
    renameSync(partial, out);
    return { file: out, databases, files, bytes: statSync(out).size };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export interface RestoreResult {
  dataDir: string;
  databases: string[];
}

/** Unpack a backup into an empty (or new) folder, 0700 with 0600 files, and check every journal's integrity. */
export function restoreDataDir(file: string, dataDir: string): RestoreResult {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new BackupError(`${dataDir} is not empty: restore into a new folder, then point the service at it`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  try {
    execFileSync('tar', ['-C', dataDir, '--no-same-owner', '--no-overwrite-dir', '-xzf', file], { stdio: 'pipe' });
  } catch (error) {
    throw new BackupError(`${file} is not a CaraLoom backup (tar.gz)`, error);
  }
  const databases: string[] = [];
  for (const name of readdirSync(dataDir)) {
    const restored = path.join(dataDir, name);
    if (!statSync(restored).isFile()) throw new BackupError(`${file} holds a folder (${name}): not a CaraLoom backup`);
    chmodSync(restored, 0o600);
    if (!name.endsWith('.db')) continue;
    const db = new Database(restored, { fileMustExist: true });
    try {
      const verdict = db.pragma('integrity_check', { simple: true });
      if (verdict !== 'ok') throw new BackupError(`${name} fails its integrity check: ${String(verdict).slice(0, 200)}`);
    } finally {
      db.close();
    }
    databases.push(name);
  }
  return { dataDir, databases };
}
