import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseModelStore } from './database-model-store';
import { LocalModelStore } from './local-model-store';
import { migrate } from './migrate';
import { PgliteClient } from './pglite-client';
import type { ModelStore } from './model-store';
import { S3ModelStore } from './s3-model-store';

let dir: string;
let bundle: string;
let s3: S3rver;
let s3Endpoint: string;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logsieve-models-'));
  bundle = path.join(dir, 'bundle');
  await mkdir(path.join(bundle, 'onnx'), { recursive: true });
  await writeFile(path.join(bundle, 'manifest.json'), '{"version":"v1"}');
  await writeFile(path.join(bundle, 'onnx', 'lof.onnx'), Buffer.from([8, 1, 2, 0, 255]));
  // s3rver: an S3 API server in pure JavaScript, so the real AWS SDK client is exercised over HTTP.
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: path.join(dir, 's3'),
    configureBuckets: [{ name: 'models' }],
  });
  s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
// One embedded database for the database store's cases, each case under its own versions' cache.
let pglite: PgliteClient | undefined;
const database = async () => {
  if (!pglite) {
    pglite = await PgliteClient.open();
    await migrate(pglite);
  }
  await pglite.query('DELETE FROM model_files');
  return new DatabaseModelStore(pglite, path.join(dir, `db-cache-${n++}`));
};
afterAll(async () => pglite?.close());

const stores: { name: string; make: () => ModelStore | Promise<ModelStore> }[] = [
  { name: 'DatabaseModelStore (PGlite)', make: database },
  { name: 'LocalModelStore', make: () => new LocalModelStore(path.join(dir, `local-${n++}`, 'models')) },
  {
    name: 'S3ModelStore',
    make: () =>
      new S3ModelStore({
        bucket: 'models',
        region: 'us-east-1',
        prefix: `run-${n++}/`,
        endpoint: s3Endpoint,
        cacheDir: path.join(dir, `cache-${n}`),
        credentials,
      }),
  },
];

describe.each(stores)('$name', ({ make }) => {
  it('saves a bundle folder by version and loads it back', async () => {
    const store = await make();
    expect(await store.list()).toEqual([]);
    expect(await store.load('v1')).toBeNull();
    await store.save('v1', bundle);
    const loaded = await store.load('v1');
    expect(await readFile(path.join(loaded!, 'manifest.json'), 'utf8')).toBe('{"version":"v1"}');
    expect([...(await readFile(path.join(loaded!, 'onnx', 'lof.onnx')))]).toEqual([8, 1, 2, 0, 255]);
    expect((await readdir(loaded!)).sort()).toEqual(['manifest.json', 'onnx']);
    await expect(store.save('v1', bundle)).rejects.toThrow(/already stored/);
    await store.save('v2', bundle);
    expect(await store.list()).toEqual(['v1', 'v2']);
    expect(await store.remove('v1')).toBe(true);
    expect(await store.remove('v1')).toBe(false);
    expect(await store.list()).toEqual(['v2']);
    expect(await store.load('v1')).toBeNull();
    store.close?.();
  });

  it('refuses versions that would escape its folder or prefix', async () => {
    const store = await make();
    await expect(store.save('../evil', bundle)).rejects.toThrow(/invalid model version/);
    await expect(store.load('a/b')).rejects.toThrow(/invalid model version/);
    store.close?.();
  });

  it('fails on a missing source without storing anything', async () => {
    const store = await make();
    await expect(store.save('v9', path.join(dir, 'nope'))).rejects.toThrow();
    expect(await store.list()).toEqual([]);
    store.close?.();
  });
});

describe('S3ModelStore', () => {
  it('ignores an interrupted upload (files without the completion marker)', async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3Endpoint,
      forcePathStyle: true,
      credentials,
    });
    await client.send(
      new PutObjectCommand({ Bucket: 'models', Key: 'half/models/v5/manifest.json', Body: '{}' }),
    );
    client.destroy();
    const store = new S3ModelStore({
      bucket: 'models',
      region: 'us-east-1',
      prefix: 'half/',
      endpoint: s3Endpoint,
      cacheDir: path.join(dir, 'cache-half'),
      credentials,
    });
    expect(await store.list()).toEqual([]);
    expect(await store.load('v5')).toBeNull();
    // Saving over the leftovers completes the version.
    await store.save('v5', bundle);
    expect(await store.list()).toEqual(['v5']);
    store.close();
  });
});
