import { createHash } from 'node:crypto';

/*
 * Stream names key stored rows (templates, thresholds, stream state, the anomalies index), and a
 * PostgreSQL btree entry holds at most 2704 bytes: one longer name made every snapshot and every
 * anomaly write of its batch fail, for all streams. Longer names keep their start and get a hash
 * of the whole, so distinct names stay distinct and a name always maps to the same stream.
 */

/** The longest stream name kept as it is, in UTF-8 bytes. */
export const MAX_STREAM_NAME_BYTES = 512;
const HASH_CHARS = 16;
/** Room for the start of the name: the rest holds `…` (3 bytes) and the hash. */
const HEAD_BYTES = MAX_STREAM_NAME_BYTES - 3 - HASH_CHARS;

/** `name` when it fits MAX_STREAM_NAME_BYTES, else its start, `…` and a hash of all of it. */
export function boundedStreamName(name: string): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most names are settled without counting.
  if (name.length * 3 <= MAX_STREAM_NAME_BYTES || Buffer.byteLength(name) <= MAX_STREAM_NAME_BYTES)
    return name;
  let head = '';
  let bytes = 0;
  for (const ch of name) {
    bytes += Buffer.byteLength(ch);
    if (bytes > HEAD_BYTES) break;
    head += ch;
  }
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARS);
  return `${head}\u2026${hash}`;
}
