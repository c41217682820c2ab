import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, isRole, newSalt, parseApiKey, secretMatches } from './api-keys';

describe('API key format', () => {
  it('generates distinct lsk_<id>_<secret> keys that parse back', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^lsk_[0-9a-f]{16}_[A-Za-z0-9_-]{32}$/);
    expect(a.key).not.toBe(b.key);
    expect(parseApiKey(a.key)).toEqual({ id: a.id, secret: a.secret });
  });

  it('rejects malformed keys', () => {
    for (const k of ['', 'lsk_', 'lsk_abc', 'abc_0123456789abcdef_secretsecretsecretsecret', 'lsk_0123_x'])
      expect(parseApiKey(k)).toBeNull();
  });

  it('matches only the right secret under the right salt', () => {
    const salt = newSalt();
    const hash = hashSecret('s3cret-value', salt);
    expect(secretMatches('s3cret-value', salt, hash)).toBe(true);
    expect(secretMatches('s3cret-valuE', salt, hash)).toBe(false);
    expect(secretMatches('s3cret-value', newSalt(), hash)).toBe(false);
  });

  it('knows the three roles', () => {
    expect(['viewer', 'editor', 'admin', 'root'].map(isRole)).toEqual([true, true, true, false]);
  });
});
