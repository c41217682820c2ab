import { describe, expect, it } from 'vitest';
import { grpcPeerAddress } from './peer-address';

describe('grpcPeerAddress', () => {
  it('drops the scheme and port of IPv4 and IPv6 peers', () => {
    expect(grpcPeerAddress('ipv4:10.0.0.1:5000')).toBe('10.0.0.1');
    expect(grpcPeerAddress('ipv6:[::1]:5000')).toBe('::1');
    expect(grpcPeerAddress('ipv6:[::ffff:127.0.0.1]:41000')).toBe('::ffff:127.0.0.1');
    expect(grpcPeerAddress('10.0.0.1:5000')).toBe('10.0.0.1');
  });

  it('keeps a peer without a port as it is', () => {
    expect(grpcPeerAddress('unix:/run/logsieve.sock')).toBe('unix:/run/logsieve.sock');
  });
});
