import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Model bundles (folders of files: ONNX graphs, manifest, template store) kept by version. */
export interface ModelStore {
  readonly kind: 'database' | 'local' | 's3';
  /** Copies the bundle folder in as `version`; throws when that version is already stored. */
  save(version: string, sourceDir: string): Promise<void>;
  /** A local folder holding the bundle, or null when the version is not stored. */
  load(version: string): Promise<string | null>;
  /** Stored versions, sorted. */
  list(): Promise<string[]>;
  /** false when the version was not stored. */
  remove(version: string): Promise<boolean>;
  close?(): void;
}

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Versions become folder names and object keys: no separators, no `..`. */
export function assertVersion(version: string): void {
  if (!VERSION.test(version)) throw new Error(`invalid model version ${JSON.stringify(version)}`);
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Files under `dir`, as `/`-separated relative paths. */
export async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * A remote bundle as a local folder `cacheDir/<version>`: written beside it and renamed, so a
 * crash or a concurrent loader never leaves half a bundle under the version.
 */
export async function cachedBundle(
  cacheDir: string,
  version: string,
  files: () => AsyncIterable<[string, Uint8Array]>,
): Promise<string> {
  const target = path.join(cacheDir, version);
  if (await pathExists(target)) return target;
  await mkdir(cacheDir, { recursive: true });
  const tmp = path.join(cacheDir, `.tmp-${version}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp, { recursive: true });
    for await (const [rel, bytes] of files()) {
      const file = path.join(tmp, ...rel.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // Another loader finished first: its copy is as good as ours.
    if (await pathExists(target)) return target;
    throw err;
  }
  return target;
}
