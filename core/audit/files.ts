import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditDetail } from './chain.js';

/**
 * `{ "<file name>": "sha256:<hex>" }` for the files a service loaded at
 * start-up (mappings), so the audit trail shows when one changed. A file
 * that cannot be read again is named `unreadable`, never skipped.
 */
export function fileHashes(files: readonly string[]): AuditDetail {
  const detail: AuditDetail = {};
  for (const file of [...new Set(files)].sort()) {
    try {
      detail[path.basename(file)] = `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
    } catch {
      detail[path.basename(file)] = 'unreadable';
    }
  }
  return detail;
}
