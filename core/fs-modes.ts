import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CaraloomError } from './errors.js';

/**
 * Nothing under a data folder may be readable by other local users (issue
 * #13 §1): the journal, its WAL/SHM, backups, exports, keys and secrets all
 * carry patient data or what unlocks it. Folders are 0700, files 0600,
 * whatever the umask the service was started under.
 */
export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Bits that give group or others any access. */
const openBits = 0o077;

export class OpenModeError extends CaraloomError {
  constructor(file: string, mode: number) {
    const kind = lstatSync(file).isDirectory() ? 'folder' : 'file';
    super('DATA_MODE_OPEN', `${kind} ${file} is readable by other users (mode ${octal(mode)}); run with --fix-permissions to make it ${kind === 'folder' ? '0700' : '0600'}`, {
      expose: true,
      details: { path: file, mode: octal(mode) },
    });
    this.name = 'OpenModeError';
  }
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Creates `dir` (and parents) if needed and makes it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  chmodSync(dir, privateDirMode);
}

/** Makes each existing file 0600; missing ones are skipped (e.g. a -shm not made yet). */
export function makePrivate(...files: string[]): void {
  for (const file of files) if (existsSync(file)) chmodSync(file, privateFileMode);
}

/** Every entry under `dir` (the folder itself first) whose mode lets others in. */
export function openEntries(dir: string): { path: string; mode: number }[] {
  const found: { path: string; mode: number }[] = [];
  const walk = (entry: string) => {
    const stat = lstatSync(entry);
    // A symlink's own mode means nothing; its target is checked where it lives.
    if (stat.isSymbolicLink()) return;
    // Config files are the operator's (they name key files and env vars, never keys): often kept next to the data.
    if (stat.isFile() && /\.ya?ml$/.test(entry)) return;
    if ((stat.mode & openBits) !== 0) found.push({ path: entry, mode: stat.mode });
    if (stat.isDirectory()) for (const name of readdirSync(entry).sort()) walk(path.join(entry, name));
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/**
 * The start-up check every service runs on its data folder: refuses (an
 * OpenModeError naming the first path, which the CLI turns into exit 2) or,
 * with `fix`, repairs. It also narrows the umask so files the service makes
 * later (SQLite's -wal/-shm, subscriber files, exports) start private.
 */
export function checkDataModes(dir: string, options: { fix?: boolean } = {}): { fixed: string[] } {
  process.umask(openBits);
  if (!existsSync(dir)) {
    ensurePrivateDir(dir);
    return { fixed: [] };
  }
  const open = openEntries(dir);
  if (open.length > 0 && options.fix !== true) throw new OpenModeError(open[0]!.path, open[0]!.mode);
  for (const entry of open) chmodSync(entry.path, lstatSync(entry.path).isDirectory() ? privateDirMode : privateFileMode);
  return { fixed: open.map((entry) => entry.path) };
}
