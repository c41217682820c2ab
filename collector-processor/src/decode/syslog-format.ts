import type { Decoded, LineFormat } from './decoded';
import { parseLooseTime } from './loose-time';
import { syslogSeverity } from './severity';
import { readFirewall } from './firewall';

/** RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD...] MSG`. */
const RFC5424 =
  /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (.*))?$/s;

/** RFC 3164 (BSD): `[<PRI>]Mmm dd hh:mm:ss host tag[pid]: msg`, the year inferred. */
const RFC3164 =
  /^(?:<(\d{1,3})>)?([A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}) (\S+) ([^\s:[]+)(?:\[(\d+)\])?: ?(.*)$/s;

const NILVALUE = '-';

export function rfc5424Format(): LineFormat {
  return {
    name: 'rfc5424',
    decode(line: string): Decoded | null {
      const m = RFC5424.exec(line);
      if (!m) return null;
      const sev = syslogSeverity(Number(m[1]));
      const timeMs = m[2] === NILVALUE ? null : Date.parse(m[2]!);
      const attributes: Record<string, unknown> = { 'syslog.facility': Number(m[1]) >> 3 };
      if (m[3] !== NILVALUE) attributes['host.name'] = m[3];
      if (m[5] !== NILVALUE) attributes['process.pid'] = m[5];
      if (m[6] !== NILVALUE) attributes['syslog.msgid'] = m[6];
      if (m[7] !== NILVALUE) attributes['syslog.structured_data'] = m[7];
      const d: Decoded = {
        timeMs: timeMs === null || Number.isNaN(timeMs) ? null : timeMs,
        severityNumber: sev.number,
        severityText: sev.text,
        // A UTF-8 BOM may precede the message.
        body: (m[8] ?? '').replace(/^\uFEFF/, ''),
        attributes,
      };
      if (m[4] !== NILVALUE) d.component = m[4];
      return withFirewall(d);
    },
  };
}

export function rfc3164Format(nowMs?: number): LineFormat {
  return {
    name: 'rfc3164',
    decode(line: string): Decoded | null {
      const m = RFC3164.exec(line);
      if (!m) return null;
      const sev = m[1] !== undefined ? syslogSeverity(Number(m[1])) : { number: 0, text: '' };
      const attributes: Record<string, unknown> = { 'host.name': m[3] };
      if (m[1] !== undefined) attributes['syslog.facility'] = Number(m[1]) >> 3;
      if (m[5] !== undefined) attributes['process.pid'] = m[5];
      return withFirewall({
        timeMs: parseLooseTime(m[2]!, nowMs),
        severityNumber: sev.number,
        severityText: sev.text,
        body: m[6]!,
        component: m[4]!.replace(/\(.*$/, ''),
        attributes,
      });
    },
  };
}

/** A firewall's fields and, where the header gave no level, the level its line carries (firewall.ts). */
function withFirewall(d: Decoded): Decoded {
  const fw = readFirewall(d.component, d.body);
  if (!fw) return d;
  Object.assign(d.attributes!, fw.attributes);
  if (d.severityNumber === 0 && fw.severity) {
    d.severityNumber = fw.severity.number;
    d.severityText = fw.severity.text;
  }
  return d;
}
