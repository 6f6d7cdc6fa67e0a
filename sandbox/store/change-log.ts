import { type FileHandle, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * The store's change log: what changed since `sandbox.json` was last
 * rewritten, one JSON line per coalesced save, appended and fdatasynced, so a
 * 201 costs one small synced append instead of rewriting and fsyncing the whole
 * file (about 2 MB at 1,000 referrals). The log is cut into generations
 * (`sandbox.json.N.wal`): a checkpoint rewrites `sandbox.json` from memory,
 * starts generation N+1 at the same moment, and deletes generations ≤ N once
 * the new file is durable. Replaying a generation the file already holds
 * changes nothing (each line sets or deletes whole records), so a crash
 * between the rename and the delete is harmless. A line cut short by a crash
 * mid-append was never acknowledged and is skipped; appends after a failed one
 * go to a new generation, so a damaged line can only be a generation's last.
 */

export class ChangeLogError extends Error {}

export class ChangeLog {
  readonly #folder: string;
  readonly #base: string;
  #generation: number;
  /** Generation → its open handle (opened at the first append to it). */
  readonly #handles = new Map<number, Promise<FileHandle>>();
  /** Bytes appended since the last rotation. */
  #bytes = 0;
  /** The append under way and its generation. */
  #appending: { generation: number; done: Promise<unknown> } | undefined;

  private constructor(file: string, generation: number) {
    this.#folder = path.dirname(file);
    this.#base = path.basename(file);
    this.#generation = generation;
  }

  /** The lines of every generation beside `file`, oldest first, and a log that appends after them. */
  static async open(file: string): Promise<{ log: ChangeLog; lines: string[] }> {
    const base = path.basename(file);
    const generations = (await readdir(path.dirname(file)))
      .map((name) => (name.startsWith(`${base}.`) && name.endsWith('.wal') ? Number(name.slice(base.length + 1, -4)) : Number.NaN))
      .filter((generation) => Number.isSafeInteger(generation) && generation >= 0)
      .sort((a, b) => a - b);
    const lines: string[] = [];
    for (const generation of generations) {
      const name = path.join(path.dirname(file), `${base}.${generation}.wal`);
      const parts = (await readFile(name, 'utf8')).split('\n');
      // The text after the last newline is a line cut short (or nothing).
      parts.pop();
      parts.forEach((line, index) => {
        try {
          JSON.parse(line);
        } catch {
          if (index < parts.length - 1) throw new ChangeLogError(`${name}: line ${index + 1} is damaged`);
          return;
        }
        lines.push(line);
      });
    }
    return { log: new ChangeLog(file, (generations.at(-1) ?? 0) + 1), lines };
  }

  /** Bytes appended to the current generation. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Append one line durably. Not called twice at a time (the store coalesces). */
  append(line: string): Promise<void> {
    const generation = this.#generation;
    const done = this.#write(generation, line);
    this.#appending = { generation, done: done.catch(() => undefined) };
    return done;
  }

  async #write(generation: number, line: string): Promise<void> {
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    this.#bytes += bytes.length;
    try {
      const handle = await this.#handle(generation);
      for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      await handle.datasync();
    } catch (error) {
      // Whatever part of the line reached the file stays its generation's last line.
      if (this.#generation === generation) this.rotate();
      throw error;
    }
  }

  /** Start a new generation; returns the one just ended (every line so far is in it or older). */
  rotate(): number {
    const ended = this.#generation;
    this.#generation++;
    this.#bytes = 0;
    return ended;
  }

  /** Close and delete generations ≤ `generation` (their changes are in a durable checkpoint). No append may be running on them. */
  async remove(generation: number): Promise<void> {
    if (this.#appending !== undefined && this.#appending.generation <= generation) await this.#appending.done;
    const base = this.#base;
    const names = (await readdir(this.#folder)).filter((name) => {
      const number = name.startsWith(`${base}.`) && name.endsWith('.wal') ? Number(name.slice(base.length + 1, -4)) : Number.NaN;
      return Number.isSafeInteger(number) && number <= generation;
    });
    for (const [number, handle] of this.#handles) {
      if (number > generation) continue;
      this.#handles.delete(number);
      await (await handle.catch(() => undefined))?.close().catch(() => undefined);
    }
    for (const name of names) await unlink(path.join(this.#folder, name)).catch(() => undefined);
    // Not synced: a deleted generation that comes back after a power cut replays to what the checkpoint holds.
  }

  /** Close every handle (the files stay). */
  async close(): Promise<void> {
    await this.#appending?.done;
    for (const [number, handle] of this.#handles) {
      this.#handles.delete(number);
      await (await handle.catch(() => undefined))?.close().catch(() => undefined);
    }
  }

  #handle(generation: number): Promise<FileHandle> {
    let handle = this.#handles.get(generation);
    if (handle === undefined) {
      handle = (async () => {
        const opened = await open(path.join(this.#folder, `${this.#base}.${generation}.wal`), 'a', 0o600);
        // A new file's name must be durable too before its first line counts.
        const folder = await open(this.#folder, 'r');
        try {
          await folder.sync();
        } finally {
          await folder.close();
        }
        return opened;
      })();
      this.#handles.set(generation, handle);
      // A failed open is tried again at the next append.
      handle.catch(() => this.#handles.get(generation) === handle && this.#handles.delete(generation));
    }
    return handle;
  }
}
