import type { Decoded, LineFormat } from './decoded';
import { PROFILE_LINES, fastHeader, learnColumns, scanHeader } from './header-scan';
import { parseLooseTime } from './loose-time';

/**
 * Free text with an optional leading time/level/component header. Never rejects a line: a line
 * without a header is all message. The stream's header columns are learned from its first
 * lines (given up front by `prime`, else gathered while decoding). Repeated time texts are
 * parsed once (lines come in bursts sharing a second).
 */
export function headerTextFormat(nowMs?: number, times = true): LineFormat {
  let lastText = '';
  let lastMs: number | null = null;
  const hint = { shape: 0 };
  let columns = 0;
  let layout: string | null = null;
  let sample: string[] = [];
  let learned = false;
  const finish = () => {
    columns = learnColumns(sample);
    learned = true;
    sample = [];
  };
  return {
    name: 'text',
    prime(lines: string[]) {
      if (learned) return;
      sample.push(...lines.slice(0, PROFILE_LINES - sample.length));
      finish();
    },
    decode(line: string): Decoded {
      if (!learned) {
        sample.push(line);
        if (sample.length >= PROFILE_LINES) finish();
      }
      let h = layout ? fastHeader(line, layout) : null;
      if (!h) {
        h = scanHeader(line, columns);
        layout = h?.layout ?? null;
      }
      if (!h) return { timeMs: null, severityNumber: 0, severityText: '', body: line };
      if (times && h.timeText !== lastText) {
        lastText = h.timeText;
        lastMs = h.timeText ? parseLooseTime(h.timeText, nowMs, hint) : null;
      }
      const d: Decoded = {
        timeMs: lastMs,
        severityNumber: h.levelNumber,
        severityText: h.level,
        body: line.slice(h.bodyStart),
      };
      if (h.component) d.component = h.component;
      return d;
    },
  };
}
