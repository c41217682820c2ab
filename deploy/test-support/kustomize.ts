import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/*
 * Just enough of kustomize to check this repository's manifests without kubectl: resources
 * (files and directories), namespace, images[].newTag and strategic-merge patches whose lists
 * merge by `name`. It throws on anything else, so a new kustomize feature cannot pass unchecked.
 */

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface Kustomization {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  resources?: string[];
  patches?: { path: string }[];
  images?: { name: string; newTag: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'patches', 'images']);
const CLUSTER_SCOPED = new Set(['Namespace']);

export function readDocuments(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Resource | null)
    .filter((d): d is Resource => d !== null);
}

export function readKustomization(dir: string): Kustomization {
  const k = readDocuments(resolve(dir, 'kustomization.yaml'))[0] as unknown as Kustomization;
  for (const key of Object.keys(k))
    if (!SUPPORTED.has(key)) throw new Error(`${dir}: unsupported kustomize field ${key}`);
  return k;
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(target: unknown, patch: unknown): unknown {
  if (isTree(target) && isTree(patch)) {
    const out: Tree = { ...target };
    for (const [k, v] of Object.entries(patch)) out[k] = k in target ? merge(target[k], v) : v;
    return out;
  }
  if (Array.isArray(target) && Array.isArray(patch) && patch.every((p) => isTree(p) && 'name' in p)) {
    const out = [...target];
    for (const p of patch as Tree[]) {
      const i = out.findIndex((t) => isTree(t) && t['name'] === p['name']);
      if (i >= 0) out[i] = merge(out[i], p);
      else out.push(p);
    }
    return out;
  }
  return patch;
}

/** The resources `kubectl apply -k dir` would create, in this simplified model. */
export function build(dir: string): Resource[] {
  const k = readKustomization(dir);
  let out: Resource[] = [];
  for (const r of k.resources ?? []) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${dir}: resource ${r} does not exist`);
    out.push(...(statSync(path).isDirectory() ? build(path) : readDocuments(path)));
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of readDocuments(resolve(dir, path))) {
      const i = out.findIndex((r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name);
      if (i < 0)
        throw new Error(`${dir}: patch ${path} targets missing ${patch.kind}/${patch.metadata.name}`);
      out[i] = merge(out[i], patch) as Resource;
    }
  }
  out = out.map((r) => {
    const labels = Object.assign({}, r.metadata.labels, ...(k.labels ?? []).map((l) => l.pairs)) as Record<
      string,
      string
    >;
    const namespace = k.namespace && !CLUSTER_SCOPED.has(r.kind) ? k.namespace : r.metadata.namespace;
    return { ...r, metadata: { ...r.metadata, labels, ...(namespace ? { namespace } : {}) } };
  });
  for (const image of k.images ?? []) {
    for (const r of out) {
      const containers = ((r['spec'] as Tree | undefined)?.['template'] as Tree | undefined)?.['spec'] as
        Tree | undefined;
      for (const c of (containers?.['containers'] as Tree[] | undefined) ?? []) {
        const [name] = String(c['image']).split(':');
        if (name === image.name) c['image'] = `${name}:${image.newTag}`;
      }
    }
  }
  return out;
}
