import { describe, expect, it } from 'vitest';
import { boundedStreamName, MAX_STREAM_NAME_BYTES } from './stream-name';

describe('boundedStreamName', () => {
  it('keeps names up to the limit as they are', () => {
    for (const name of ['api', '', 'x'.repeat(MAX_STREAM_NAME_BYTES), '\u20ac'.repeat(170)])
      expect(boundedStreamName(name)).toBe(name);
  });

  it('cuts longer names to the limit, keeping their start and telling distinct names apart', () => {
    const a = `${'a'.repeat(1000)}1`;
    const b = `${'a'.repeat(1000)}2`;
    const cut = boundedStreamName(a);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_STREAM_NAME_BYTES);
    expect(cut).toMatch(/^a{493}\u2026[0-9a-f]{16}$/);
    expect(boundedStreamName(a)).toBe(cut);
    expect(boundedStreamName(b)).not.toBe(cut);
  });

  it('cuts between characters, never inside a multi-byte one or a surrogate pair', () => {
    for (const ch of ['\u20ac', '\ud83d\ude00', 'é']) {
      const cut = boundedStreamName(ch.repeat(400));
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_STREAM_NAME_BYTES);
      const head = cut.slice(0, cut.indexOf('\u2026'));
      expect(head.length % ch.length).toBe(0);
      expect(head).toBe(ch.repeat(head.length / ch.length));
    }
  });
});
