import type { Decoded, LineFormat } from './decoded';
import { parseLooseTime } from './loose-time';
import { httpStatusSeverity } from './severity';

/** Common Log Format, and Combined (nginx/Apache default) with referer and user agent. */
const CLF =
  /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(.*)$/s;

export function clfFormat(): LineFormat {
  return {
    name: 'clf',
    decode(line: string): Decoded | null {
      const m = CLF.exec(line);
      if (!m) return null;
      const status = Number(m[6]);
      const sev = httpStatusSeverity(status);
      const attributes: Record<string, unknown> = {
        'client.address': m[1],
        'http.response.status_code': status,
      };
      if (m[3] !== '-') attributes['user.name'] = m[3];
      if (m[7] !== '-') attributes['http.response.body.size'] = Number(m[7]);
      if (m[8] !== undefined && m[8] !== '-') attributes['http.request.header.referer'] = m[8];
      if (m[9] !== undefined && m[9] !== '-') attributes['user_agent.original'] = m[9];
      return {
        timeMs: parseLooseTime(m[4]!),
        severityNumber: sev.number,
        severityText: sev.text,
        // The request line and status make the template (`GET <*> <*> <*>`); fields a custom
        // log_format appends ($request_time, $upstream_response_time) stay, as parameters.
        body: m[10]!.trim() ? `${m[5]} ${m[6]} ${m[10]!.trim()}` : `${m[5]} ${m[6]}`,
        attributes,
      };
    },
  };
}
