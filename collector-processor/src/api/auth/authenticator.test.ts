import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../rest-server';
import { createHeaderCheck, credentialFrom } from './authenticator';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';
const GOOD = 'lsk_0123456789abcdef_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef';

const keys = {
  verify: async (k: string): Promise<Principal | null> =>
    k === GOOD ? { actor: 'key:ci', role: 'editor' } : null,
};
const config = {
  auth: {
    enabled: true,
    apiKeys: ['viewer:static-viewer-key-0123456789', 'bare-admin-key-0123456789abcdef'],
    jwt: { jwksUrl: null, secret: SECRET, issuer: null, audience: null },
  },
};
const check = createHeaderCheck({ config, keys });

describe('credentialFrom', () => {
  it('reads X-API-Key first, then a Bearer token, in any header case', () => {
    expect(credentialFrom({ 'X-Api-Key': 'k1', authorization: 'Bearer k2' })).toBe('k1');
    expect(credentialFrom({ Authorization: 'bearer  k2 ' })).toBe('k2');
    expect(credentialFrom({ authorization: ['Bearer k3', 'Bearer k4'] })).toBe('k3');
    expect(credentialFrom({})).toBeNull();
    expect(credentialFrom({ authorization: 'Basic dXNlcjpwdw==' })).toBe('');
  });
});

describe('createHeaderCheck', () => {
  it('distinguishes no credentials from wrong ones', async () => {
    expect(await check({})).toBeNull();
    expect(await check({ authorization: 'Basic dXNlcjpwdw==' })).toBe('invalid');
    expect(await check({ 'x-api-key': GOOD.replace('A', 'B') })).toBe('invalid');
    expect(await check({ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' })).toBe('invalid');
  });

  it('accepts stored keys through either header', async () => {
    expect(await check({ 'x-api-key': GOOD })).toEqual({ actor: 'key:ci', role: 'editor' });
    expect(await check({ authorization: `Bearer ${GOOD}` })).toEqual({ actor: 'key:ci', role: 'editor' });
  });

  it('accepts configured keys with their role (bare = admin)', async () => {
    expect(await check({ 'x-api-key': 'static-viewer-key-0123456789' })).toMatchObject({ role: 'viewer' });
    expect(await check({ 'x-api-key': 'bare-admin-key-0123456789abcdef' })).toMatchObject({ role: 'admin' });
    expect(await check({ 'x-api-key': 'viewer:static-viewer-key-0123456789' })).toBe('invalid');
  });

  it('refuses to start with a placeholder-length configured key', () => {
    for (const apiKeys of [['CHANGE_ME'], ['editor:short-key']])
      expect(() => createHeaderCheck({ config: { auth: { ...config.auth, apiKeys } }, keys })).toThrow(
        /auth.apiKeys\[0\]: keys must be at least 24 characters/,
      );
  });

  it('accepts a JWT signed with the shared secret', async () => {
    const jwt = await new SignJWT({ sub: 'carol', logsieve_role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect(await check({ authorization: `Bearer ${jwt}` })).toEqual({ actor: 'carol', role: 'admin' });
  });

  it('refuses every token when neither keys nor JWT are configured', async () => {
    const bare = createHeaderCheck({
      config: {
        auth: {
          enabled: true,
          apiKeys: [],
          jwt: { jwksUrl: null, secret: null, issuer: null, audience: null },
        },
      },
      keys,
    });
    expect(await bare({ authorization: 'Bearer whatever' })).toBe('invalid');
    expect(await bare({ 'x-api-key': GOOD })).toMatchObject({ role: 'editor' });
  });
});
