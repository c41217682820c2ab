import { stat } from 'node:fs/promises';

/** Model bundles (folders of files: ONNX graphs, manifest, template store) kept by version. */
export interface ModelStore {
  readonly kind: 'local' | 's3';
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
