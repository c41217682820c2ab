import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where a tailed file was read up to: the file's inode and the byte after the last line sent. */
export interface FileOffset {
  inode: number;
  offset: number;
  /** Lines delivered from this file so far (the next record's line is line + 1). */
  line: number;
}

/** Persists file-tail positions so a restart resumes instead of re-reading or skipping. */
export interface OffsetStore {
  get(filePath: string): Promise<FileOffset | null>;
  set(filePath: string, offset: FileOffset): Promise<void>;
}

export class MemoryOffsetStore implements OffsetStore {
  private readonly offsets = new Map<string, FileOffset>();

  async get(filePath: string): Promise<FileOffset | null> {
    return this.offsets.get(filePath) ?? null;
  }

  async set(filePath: string, offset: FileOffset): Promise<void> {
    this.offsets.set(filePath, { ...offset });
  }
}

/**
 * Offsets in one small JSON file (e.g. dataDir/file-offsets.json), replaced atomically on each
 * write so a crash leaves the previous complete state, never a torn file.
 */
export class JsonFileOffsetStore implements OffsetStore {
  private cache: Record<string, FileOffset> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async get(filePath: string): Promise<FileOffset | null> {
    return (await this.load())[filePath] ?? null;
  }

  async set(filePath: string, offset: FileOffset): Promise<void> {
    const all = await this.load();
    all[filePath] = { ...offset };
    const text = JSON.stringify(all);
    // Serialise writes: two renames racing could otherwise land an older state last.
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.file);
    });
    await this.writing;
  }

  private async load(): Promise<Record<string, FileOffset>> {
    if (this.cache) return this.cache;
    try {
      this.cache = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, FileOffset>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.cache = {};
    }
    return this.cache;
  }
}
