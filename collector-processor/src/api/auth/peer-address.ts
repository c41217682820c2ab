/**
 * The address of a gRPC peer as call.getPeer() reports it ("ipv4:10.0.0.1:5000",
 * "ipv6:[::1]:5000", "10.0.0.1:5000") without its port: the key of the auth failure budget.
 */
export function grpcPeerAddress(peer: string): string {
  const hostPort = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(hostPort);
  if (bracketed) return bracketed[1]!;
  return /^(.+):\d+$/.exec(hostPort)?.[1] ?? hostPort;
}
