import { dataRecord } from '../data-keys';
import { Severity } from '../record';
import { syslogSeverity } from './severity';

/** What a firewall's syslog line carries beyond its header: its level, where the header had none. */
export interface FirewallReading {
  severity?: { number: number; text: string };
  attributes: Record<string, unknown>;
}

/** Cisco ASA/FTD/PIX message tag: `%ASA-4-106023`, its middle digit the syslog severity. */
const CISCO = /^%(ASA|FTD|PIX|FWSM)-([0-7])-(\d{6})$/;
const CISCO_IN_BODY = /^%(ASA|FTD|PIX|FWSM)-([0-7])-(\d{6}): ?/;
/** netfilter's LOG/NFLOG target: `IN=eth0 OUT= ... SRC=203.0.113.9 DST=10.0.0.5 ... PROTO=TCP SPT=51515 DPT=22`. */
const NETFILTER = /\bIN=\S* OUT=\S*.*\bSRC=\S+ DST=\S+/;
const NETFILTER_FIELD = /\b(IN|OUT|SRC|DST|PROTO|SPT|DPT)=(\S*)/g;
const NETFILTER_NAMES: Record<string, string> = {
  IN: 'network.interface.in',
  OUT: 'network.interface.out',
  SRC: 'source.address',
  DST: 'destination.address',
  PROTO: 'network.transport',
  SPT: 'source.port',
  DPT: 'destination.port',
};
/** pf through pflog/tcpdump: `rule 12/0(match): block in on em0: 203.0.113.9.51515 > 10.0.0.5.22: ...`. */
const PF = /\brule (\S+)\(\w+\): (pass|block|match|scrub|nat|rdr) (in|out) on (\S+): /;

/** Firewall lines are short; longer ones are not read (no regex scans a 64 KB line). */
const MAX_LINE = 4096;

const WARNING = syslogSeverity(4);
const INFO = { number: Severity.INFO, text: 'info' };

/**
 * Reads Cisco ASA, netfilter (iptables/nftables LOG) and pf lines that come through syslog: the
 * ASA's severity is in its message tag, netfilter's LOG target logs at warning by default and pf's
 * block is a refusal, so a line whose header gave no level (a `kern.log` without PRI) keeps one;
 * addresses, ports and the action become attributes. Null for other lines.
 */
export function readFirewall(component: string | undefined, body: string): FirewallReading | null {
  if (body.length > MAX_LINE) return null;
  const cisco = (component !== undefined ? CISCO.exec(component) : null) ?? CISCO_IN_BODY.exec(body);
  if (cisco) {
    const attributes = dataRecord<unknown>();
    attributes['cisco.product'] = cisco[1];
    attributes['cisco.message_id'] = cisco[3];
    return { severity: syslogSeverity(Number(cisco[2])), attributes };
  }
  if (NETFILTER.test(body)) {
    const attributes = dataRecord<unknown>();
    for (const m of body.matchAll(NETFILTER_FIELD)) if (m[2]) attributes[NETFILTER_NAMES[m[1]!]!] = m[2];
    return { severity: WARNING, attributes };
  }
  const pf = PF.exec(body);
  if (pf) {
    const attributes = dataRecord<unknown>();
    attributes['pf.rule'] = pf[1];
    attributes['pf.action'] = pf[2];
    attributes['network.direction'] = pf[3] === 'in' ? 'ingress' : 'egress';
    attributes['network.interface.name'] = pf[4];
    return { severity: pf[2] === 'block' ? WARNING : INFO, attributes };
  }
  return null;
}
