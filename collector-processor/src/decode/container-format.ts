import type { Decoded, LineFormat } from './decoded';

/**
 * Container runtime wrappers. They carry a time and the stream (stdout/stderr) around the
 * application's own line, which the stream decoder then decodes with an inner decoder.
 */

/** CRI (containerd, CRI-O): `<RFC3339Nano> <stdout|stderr> <F|P> <line>`. */
const CRI =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) ([FP]) ?(.*)$/s;

export function criFormat(): LineFormat {
  return {
    name: 'cri',
    decode(line: string): Decoded | null {
      const m = CRI.exec(line);
      if (!m) return null;
      return {
        timeMs: Date.parse(m[1]!),
        severityNumber: 0,
        severityText: '',
        body: m[4]!,
        attributes: { 'log.iostream': m[2], partial: m[3] === 'P' },
      };
    },
  };
}

/** Docker's json-file driver: `{"log":"...\n","stream":"stdout","time":"..."}`. */
export function dockerFormat(): LineFormat {
  return {
    name: 'docker',
    decode(line: string): Decoded | null {
      if (!line.startsWith('{"log":')) return null;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        return null;
      }
      const rec = obj as { log?: unknown; stream?: unknown; time?: unknown };
      if (typeof rec.log !== 'string' || typeof rec.stream !== 'string') return null;
      const timeMs = typeof rec.time === 'string' ? Date.parse(rec.time) : NaN;
      return {
        timeMs: Number.isNaN(timeMs) ? null : timeMs,
        severityNumber: 0,
        severityText: '',
        body: rec.log.endsWith('\n') ? rec.log.slice(0, -1) : rec.log,
        attributes: { 'log.iostream': rec.stream },
      };
    },
  };
}
