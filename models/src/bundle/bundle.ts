import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_NAMES, type ModelName } from '../ensemble/ensemble';

export const BUNDLE_FORMAT = 'logsieve-bundle/1';

/**
 * manifest.json of a model bundle. The parts owned by other stages (feature space, template
 * store, LSTM settings) are plain JSON here so the bundle layer needs no knowledge of them.
 */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: string;
  createdAt: string;
  logsieveVersion: string;
  unit:
    { kind: 'window'; windowSeconds: number } | { kind: 'session'; sessionKey: string; idleSeconds: number };
  training: Record<string, number>;
  features: unknown;
  ensemble: unknown;
  threshold: { falseAlarmRate: number; minScore: number };
  models: Record<ModelName, { file: string; card: unknown }>;
  extra: Record<string, unknown>;
  /** File holding the template store (miner snapshots per stream). */
  templates: string;
}

export interface Bundle {
  dir: string;
  manifest: BundleManifest;
  onnx: Record<ModelName, Uint8Array>;
  templates: unknown;
}

export class BundleError extends Error {
  constructor(dir: string, why: string) {
    super(`cannot use model bundle ${dir}: ${why}`);
    this.name = 'BundleError';
  }
}

/** Writes the bundle into a temporary folder and renames it, so a reader never sees half a bundle. */
export async function writeBundle(
  dir: string,
  manifest: BundleManifest,
  onnx: Record<ModelName, Uint8Array>,
  templates: unknown,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const m of MODEL_NAMES) await writeFile(join(tmp, manifest.models[m].file), onnx[m]);
  await writeFile(join(tmp, manifest.templates), JSON.stringify(templates));
  await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

export async function readBundle(dir: string): Promise<Bundle> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleError(dir, code === 'ENOENT' ? 'no manifest.json (not a model bundle)' : String(err));
  }
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(text) as BundleManifest;
  } catch {
    throw new BundleError(dir, 'manifest.json is not valid JSON');
  }
  if (manifest?.format !== BUNDLE_FORMAT) {
    throw new BundleError(
      dir,
      `unsupported format ${JSON.stringify(manifest?.format)} (expected ${BUNDLE_FORMAT})`,
    );
  }
  for (const key of ['features', 'ensemble', 'threshold', 'models', 'unit'] as const) {
    if (manifest[key] === undefined) throw new BundleError(dir, `manifest.json has no "${key}"`);
  }
  const onnx = {} as Record<ModelName, Uint8Array>;
  for (const m of MODEL_NAMES) {
    const entry = manifest.models[m];
    if (!entry?.file) throw new BundleError(dir, `manifest.json names no file for model ${m}`);
    try {
      onnx[m] = new Uint8Array(await readFile(join(dir, entry.file)));
    } catch {
      throw new BundleError(dir, `missing model file ${entry.file}`);
    }
  }
  let templates: unknown;
  try {
    templates = JSON.parse(await readFile(join(dir, manifest.templates), 'utf8'));
  } catch {
    throw new BundleError(dir, `template store ${manifest.templates} is missing or not valid JSON`);
  }
  return { dir, manifest, onnx, templates };
}
