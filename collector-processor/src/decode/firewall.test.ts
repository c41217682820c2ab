import { describe, expect, it } from 'vitest';
import { rfc3164Format, rfc5424Format } from './syslog-format';
import { Severity } from '../record';

const NOW = Date.UTC(2026, 11, 8, 12, 0, 0);

/** Firewall lines as their devices write them through syslog (written here, in their formats). */
const ASA =
  'Dec  8 10:00:01 fw01 %ASA-4-106023: Deny tcp src outside:203.0.113.9/51515 dst inside:10.0.0.5/22 by access-group "outside_in" [0x0, 0x0]';
const ASA_INFO =
  'Dec  8 10:00:02 fw01 %ASA-6-302013: Built inbound TCP connection 81234 for outside:198.51.100.7/44321 (198.51.100.7/44321) to inside:10.0.0.8/443 (10.0.0.8/443)';
const UFW =
  'Dec  8 10:00:03 web-1 kernel: [12345.678901] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.9 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=54321 DF PROTO=TCP SPT=51515 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0';
const NFT =
  '<12>1 2026-12-08T10:00:04Z web-1 kernel - - - nft drop input: IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.5 LEN=52 PROTO=UDP SPT=5353 DPT=53 LEN=32';
const PF =
  'Dec  8 10:00:05 gw pf: 00:00:01.123456 rule 12/0(match): block in on em0: 203.0.113.9.51515 > 10.0.0.5.22: Flags [S], seq 1, win 65535, length 0';

describe('firewall lines through syslog', () => {
  const bsd = rfc3164Format(NOW);

  it("reads a Cisco ASA's level from its message tag", () => {
    const d = bsd.decode(ASA)!;
    expect(d.severityNumber).toBe(Severity.WARN);
    expect(d.attributes).toMatchObject({ 'cisco.product': 'ASA', 'cisco.message_id': '106023' });
    expect(d.body).toMatch(/^Deny tcp src outside:/);
    expect(bsd.decode(ASA_INFO)!.severityNumber).toBe(Severity.INFO);
  });

  it("reads netfilter's LOG lines (iptables, nftables) at the LOG target's warning, with addresses and ports", () => {
    const d = bsd.decode(UFW)!;
    expect(d.severityNumber).toBe(Severity.WARN);
    expect(d.attributes).toMatchObject({
      'source.address': '203.0.113.9',
      'destination.address': '10.0.0.5',
      'network.transport': 'TCP',
      'source.port': '51515',
      'destination.port': '22',
      'network.interface.in': 'eth0',
    });
    expect(d.attributes).not.toHaveProperty('network.interface.out');
    // A header level wins: <12> is user.warning; the fields are read all the same.
    const n = rfc5424Format().decode(NFT)!;
    expect(n.severityNumber).toBe(Severity.WARN);
    expect(n.attributes).toMatchObject({ 'network.transport': 'UDP', 'destination.port': '53' });
  });

  it("reads pf's block as a refusal and its rule, direction and interface", () => {
    const d = bsd.decode(PF)!;
    expect(d.severityNumber).toBe(Severity.WARN);
    expect(d.attributes).toMatchObject({
      'pf.rule': '12/0',
      'pf.action': 'block',
      'network.direction': 'ingress',
      'network.interface.name': 'em0',
    });
    expect(bsd.decode(PF.replace('block in', 'pass out'))!.severityNumber).toBe(Severity.INFO);
  });

  it('leaves other syslog lines as they were, and long lines unread', () => {
    const d = bsd.decode(
      'Dec  8 10:00:06 web-1 sshd[812]: Accepted publickey for deploy from 10.0.0.2 port 50000 ssh2',
    )!;
    expect(d.severityNumber).toBe(0);
    expect(Object.keys(d.attributes!)).toEqual(['host.name', 'process.pid']);
    const long = `Dec  8 10:00:07 web-1 kernel: ${'IN= OUT= '.repeat(1000)}SRC=1 DST=2`;
    expect(bsd.decode(long)!.severityNumber).toBe(0);
  });
});
