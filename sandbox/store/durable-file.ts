import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * lowdb adapter: the whole file written to `.NAME.tmp`, fsynced, renamed over
 * the file, and the folder fsynced, so a resolved write survives a power cut
 * and a crash mid-write leaves the previous file whole. (lowdb's own DataFile
 * renames without fsync.) The store calls `write` once per coalesced batch,
 * never two at a time, so one temp name is enough.
 */
export class DurableFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #temp: string;

  constructor(
    file: string,
    private readonly codec: { parse: (text: string) => T; stringify: (data: T) => string },
  ) {
    this.#file = file;
    this.#temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return this.codec.parse(text);
  }

  async write(data: T): Promise<void> {
    const bytes = Buffer.from(this.codec.stringify(data), 'utf8');
    const handle = await open(this.#temp, 'w');
    try {
      // Whole-buffer writes: fs.writeFile would cut it into 512 KiB round trips.
      for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, done)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.#temp, this.#file);
    const folder = await open(path.dirname(this.#file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
