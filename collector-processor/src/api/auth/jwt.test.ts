import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, roleFromClaims, type JwtConfig } from './jwt';

const none: JwtConfig = { jwksUrl: null, secret: null, issuer: null, audience: null };
const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';

const hs256 = (claims: JWTPayload, secret = SECRET, expSeconds = 300) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(new TextEncoder().encode(secret));

describe('roleFromClaims', () => {
  it('prefers logsieve_role, then the highest of roles[], else viewer', () => {
    expect(roleFromClaims({ logsieve_role: 'editor', roles: ['admin'] })).toBe('editor');
    expect(roleFromClaims({ roles: ['viewer', 'admin', 'other'] })).toBe('admin');
    expect(roleFromClaims({ logsieve_role: 'root' })).toBe('viewer');
    expect(roleFromClaims({})).toBe('viewer');
  });
});

describe('createJwtVerifier with a shared secret', () => {
  const verify = createJwtVerifier({ ...none, secret: SECRET, issuer: 'idp', audience: 'logsieve' })!;

  it('accepts a valid token and maps sub and role', async () => {
    const t = await hs256({ sub: 'alice', iss: 'idp', aud: 'logsieve', logsieve_role: 'admin' });
    expect(await verify(t)).toEqual({ actor: 'alice', role: 'admin' });
  });

  it('refuses wrong secret, issuer, audience, expiry, missing sub and garbage', async () => {
    const ok = { sub: 'alice', iss: 'idp', aud: 'logsieve' };
    expect(await verify(await hs256(ok, 'another-secret-of-at-least-32-bytes!!'))).toBeNull();
    expect(await verify(await hs256({ ...ok, iss: 'evil' }))).toBeNull();
    expect(await verify(await hs256({ ...ok, aud: 'other' }))).toBeNull();
    expect(await verify(await hs256(ok, SECRET, -60))).toBeNull();
    expect(await verify(await hs256({ iss: 'idp', aud: 'logsieve' }))).toBeNull();
    expect(await verify('not.a.jwt')).toBeNull();
  });

  it('refuses a token without exp, however valid otherwise (expiry is always enforced)', async () => {
    const noExp = await new SignJWT({ sub: 'alice', iss: 'idp', aud: 'logsieve', logsieve_role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    expect(await verify(noExp)).toBeNull();
  });

  it('is absent when nothing is configured', () => {
    expect(createJwtVerifier(none)).toBeNull();
  });
});

describe('createJwtVerifier with a JWKS URL', () => {
  let server: Server;
  let url: string;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('verifies tokens signed by a key from the set and refuses others', async () => {
    const verify = createJwtVerifier({ ...none, jwksUrl: url })!;
    const sign = (key: CryptoKey, kid: string) =>
      new SignJWT({ sub: 'bob', roles: ['editor'] })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setExpirationTime('5m')
        .sign(key);
    expect(await verify(await sign(privateKey, 'k1'))).toEqual({ actor: 'bob', role: 'editor' });
    const stranger = await generateKeyPair('RS256');
    expect(await verify(await sign(stranger.privateKey, 'k1'))).toBeNull();
    // An HS256 token must not pass by abusing a public key as an HMAC secret.
    expect(await verify(await hs256({ sub: 'bob' }))).toBeNull();
  });
});
