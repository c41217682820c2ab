/**
 * Line renderers, one per log format the scenario writes. Each takes an event time in epoch ms and
 * the event's fields and returns the raw line as that kind of producer writes it.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Combined Log Format (nginx/Apache "combined") with the request time appended as `rt=`. */
export function clf(
  ms: number,
  f: { ip: string; method: string; path: string; status: number; bytes: number; agent: string; rt: number },
): string {
  const d = new Date(ms);
  const stamp = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${f.ip} - - [${stamp}] "${f.method} ${f.path} HTTP/1.1" ${f.status} ${f.bytes} "-" "${f.agent}" rt=${f.rt.toFixed(3)}`;
}

/** One JSON object per line, as structured application loggers (pino, zap, logback JSON) write. */
export function jsonLine(
  ms: number,
  level: string,
  msg: string,
  fields: Record<string, string | number>,
): string {
  return JSON.stringify({ ts: iso(ms), level, service: 'orders-api', msg, ...fields });
}

/** logfmt (key=value, quoted when the value has spaces), as Go services and Heroku write. */
export function logfmt(
  ms: number,
  level: string,
  msg: string,
  fields: Record<string, string | number>,
): string {
  const kv = Object.entries(fields).map(
    ([k, v]) => `${k}=${/\s|"/.test(String(v)) ? JSON.stringify(String(v)) : v}`,
  );
  return [`ts=${iso(ms)}`, `level=${level}`, `msg=${JSON.stringify(msg)}`, ...kv].join(' ');
}

/** CRI container runtime line (containerd / Kubernetes node log): time, stream, tag, message. */
export function cri(ms: number, message: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
  // CRI writes nanoseconds; the last six digits are a constant filler here.
  return `${iso(ms).replace('Z', '')}000000Z ${stream} F ${message}`;
}

/** RFC 5424 syslog: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG. */
export function rfc5424(
  ms: number,
  f: { facility: number; severity: number; host: string; app: string; pid?: number; msg: string },
): string {
  return `<${f.facility * 8 + f.severity}>1 ${iso(ms)} ${f.host} ${f.app} ${f.pid ?? '-'} - - ${f.msg}`;
}

/** Free text behind a log4j/logback style header: `YYYY-MM-DD HH:MM:SS,mmm LEVEL [thread] message`. */
export function headerText(ms: number, level: string, thread: string, message: string): string {
  const d = new Date(ms);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`;
  return `${stamp} ${level.padEnd(5)} [${thread}] ${message}`;
}
