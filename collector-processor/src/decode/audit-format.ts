import type { Decoded, LineFormat } from './decoded';
import { dataRecord } from '../data-keys';
import { parseLogfmt } from './logfmt-format';
import { Severity } from '../record';

/** `type=USER_LOGIN msg=audit(1700000000.123:456): ...`: the record type, epoch time and serial. */
const HEADER = /^(?:node=\S+ )?type=([A-Z_0-9]+) msg=audit\((\d{1,12})\.(\d{1,3}):(\d+)\):\s*(.*)$/s;
/** A user-space record's own fields, quoted in single quotes: `msg='op=login acct="root" res=failed'`. */
const INNER = /\bmsg='([^']*)'/;
/** Fields that say what happened, outcome first; the rest (pids, sessions) are attributes only. */
const WHAT = ['res', 'success', 'op', 'acct', 'syscall', 'key', 'comm', 'exe', 'addr', 'terminal'];

/**
 * Linux audit records (`/var/log/audit/audit.log`). Read as logfmt they lost their meaning: the
 * record type and the user-space fields sit in `msg=audit(...)` and `msg='...'`, so a failed and a
 * successful login shared one template and every SYSCALL line became `<*>`. The body is the record
 * type and outcome, then the fields that say what happened: "USER_LOGIN res=failed op=login
 * acct=root exe=/usr/sbin/sshd addr=203.0.113.9 terminal=ssh". A failure (`res=failed`,
 * `success=no`) and an AVC denial are warnings; every field is an attribute.
 */
export function auditFormat(): LineFormat {
  return {
    name: 'auditd',
    decode(line: string): Decoded | null {
      const m = HEADER.exec(line);
      if (!m) return null;
      const type = m[1]!;
      const rest = m[5]!;
      const inner = INNER.exec(rest);
      const outer = parseLogfmt(rest.replace(INNER, ''), 0);
      const own = inner ? parseLogfmt(inner[1]!, 0) : null;
      const attributes = dataRecord<unknown>();
      attributes['audit.type'] = type;
      attributes['audit.serial'] = Number(m[4]);
      // A kernel record that is not all pairs (an AVC's "avc: denied { read } for ...") keeps its text.
      if (!outer || (inner && !own)) return record(m, type, rest, attributes, /\bdenied\b/.test(rest));
      const pairs = new Map([...outer, ...(own ?? [])]);
      for (const [k, v] of pairs) attributes[k] = v;
      const outcome = pairs.get('res') ?? pairs.get('success');
      const what = WHAT.filter((k) => pairs.has(k)).map((k) => `${k}=${pairs.get(k)}`);
      return record(m, type, what.join(' '), attributes, outcome === 'failed' || outcome === 'no');
    },
  };
}

function record(
  m: RegExpExecArray,
  type: string,
  text: string,
  attributes: Record<string, unknown>,
  failed: boolean,
): Decoded {
  return {
    timeMs: Number(m[2]) * 1000 + Number(m[3]!.padEnd(3, '0')),
    severityNumber: failed ? Severity.WARN : Severity.INFO,
    severityText: failed ? 'WARN' : 'INFO',
    body: text ? `${type} ${text}` : type,
    component: 'auditd',
    attributes,
  };
}
