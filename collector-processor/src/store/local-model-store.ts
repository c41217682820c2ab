import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { assertVersion, pathExists, type ModelStore } from './model-store';

/** Bundles under `root/<version>/` (the service uses dataDir/models). */
export class LocalModelStore implements ModelStore {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  async save(version: string, sourceDir: string): Promise<void> {
    assertVersion(version);
    const target = path.join(this.root, version);
    if (await pathExists(target)) throw new Error(`model ${version} is already stored`);
    await mkdir(this.root, { recursive: true });
    // Copy beside the target and rename: a crash mid-copy never leaves a half bundle under the version.
    const tmp = path.join(this.root, `.tmp-${version}-${randomBytes(4).toString('hex')}`);
    try {
      await cp(sourceDir, tmp, { recursive: true, errorOnExist: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (
        (err as NodeJS.ErrnoException).code === 'ENOTEMPTY' ||
        (err as NodeJS.ErrnoException).code === 'EEXIST'
      ) {
        throw new Error(`model ${version} is already stored`);
      }
      throw err;
    }
  }

  async load(version: string): Promise<string | null> {
    assertVersion(version);
    const dir = path.join(this.root, version);
    return (await pathExists(dir)) ? dir : null;
  }

  async list(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async remove(version: string): Promise<boolean> {
    assertVersion(version);
    const dir = path.join(this.root, version);
    if (!(await pathExists(dir))) return false;
    await rm(dir, { recursive: true, force: true });
    return true;
  }
}
