import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertVersion, cachedBundle, listFiles, pathExists, type ModelStore } from './model-store';

export interface S3ModelStoreOptions {
  bucket: string;
  region: string;
  /** Key prefix, e.g. `logsieve/`: bundles live under `<prefix>models/<version>/`. */
  prefix: string;
  /** An S3-compatible server (MinIO, Ceph); null for AWS. Path-style addressing is used with it. */
  endpoint: string | null;
  /** Where loaded bundles are unpacked (dataDir/model-cache); versions are immutable, so it never goes stale. */
  cacheDir: string;
  /** Omitted: the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Written last on save: a version without it is an interrupted upload and does not count as stored. */
const COMPLETE = '.complete';

/** Model bundles in S3-compatible object storage, one object per file. */
export class S3ModelStore implements ModelStore {
  readonly kind = 's3' as const;
  private readonly s3: S3Client;
  private readonly root: string;

  constructor(private readonly opts: S3ModelStoreOptions) {
    this.root = `${opts.prefix}models/`;
    this.s3 = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      // Plain checksummed-when-required requests work on every S3-compatible server, not only AWS.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async save(version: string, sourceDir: string): Promise<void> {
    assertVersion(version);
    if (await this.isComplete(version)) throw new Error(`model ${version} is already stored`);
    const files = await listFiles(sourceDir);
    for (const rel of files) {
      await this.put(`${this.root}${version}/${rel}`, await readFile(path.join(sourceDir, rel)));
    }
    await this.put(`${this.root}${version}/${COMPLETE}`, new Uint8Array(0));
  }

  private async put(key: string, body: Uint8Array): Promise<void> {
    // An explicit length: the SDK cannot infer it for an empty body and would warn.
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: body, ContentLength: body.length }),
    );
  }

  async load(version: string): Promise<string | null> {
    assertVersion(version);
    if (await pathExists(path.join(this.opts.cacheDir, version)))
      return path.join(this.opts.cacheDir, version);
    if (!(await this.isComplete(version))) return null;
    const prefix = `${this.root}${version}/`;
    const keys = (await this.keys(prefix)).filter((k) => k !== `${prefix}${COMPLETE}`);
    const s3 = this.s3;
    const bucket = this.opts.bucket;
    return cachedBundle(this.opts.cacheDir, version, async function* () {
      for (const key of keys) {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        yield [key.slice(prefix.length), await res.Body!.transformToByteArray()];
      }
    });
  }

  async list(): Promise<string[]> {
    return (await this.keys(this.root))
      .filter((k) => k.endsWith(`/${COMPLETE}`))
      .map((k) => k.slice(this.root.length, -COMPLETE.length - 1))
      .filter((v) => !v.includes('/'))
      .sort();
  }

  async remove(version: string): Promise<boolean> {
    assertVersion(version);
    const keys = await this.keys(`${this.root}${version}/`);
    if (keys.length === 0) return false;
    // The marker first, so a half-finished removal reads as "not stored" rather than as a broken bundle.
    const marker = `${this.root}${version}/${COMPLETE}`;
    const ordered = [marker, ...keys.filter((k) => k !== marker)];
    for (let i = 0; i < ordered.length; i += 1000) {
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.opts.bucket,
          Delete: { Objects: ordered.slice(i, i + 1000).map((Key) => ({ Key })) },
        }),
      );
    }
    await rm(path.join(this.opts.cacheDir, version), { recursive: true, force: true });
    return true;
  }

  close(): void {
    this.s3.destroy();
  }

  private async isComplete(version: string): Promise<boolean> {
    try {
      await this.s3.send(
        new HeadObjectCommand({ Bucket: this.opts.bucket, Key: `${this.root}${version}/${COMPLETE}` }),
      );
      return true;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return false;
      throw err;
    }
  }

  private async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}
