import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { Series } from '../api/prometheus';

const W = 800;
const H = 220;
const PAD = { left: 36, right: 12, top: 10, bottom: 24 };
/** Samples of a series drawn as dots too: about one every 8 px at most, where a line alone may not show. */
const MAX_DOTS = Math.floor((W - PAD.left - PAD.right) / 8);

function timeLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return spanMs > 2 * 86_400_000 ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}

/** Anomaly score (0-100) over time, one line per stream, with the warning and critical bands. */
export function ScoreChart({ series, fromMs, toMs }: { series: Series[]; fromMs: number; toMs: number }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const span = Math.max(1, toMs - fromMs);
  const x = (t: number) => PAD.left + ((t - fromMs) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / 100) * (H - PAD.top - PAD.bottom);
  const palette = theme.visualization.palette;
  const color = (i: number) => theme.visualization.getColorByName(palette[i % palette.length]);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => fromMs + f * span);

  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} className={styles.svg} role="img" aria-label="Anomaly score over time">
        <rect
          x={PAD.left}
          y={y(100)}
          width={W - PAD.left - PAD.right}
          height={y(90) - y(100)}
          fill={theme.colors.error.transparent}
        />
        <rect
          x={PAD.left}
          y={y(90)}
          width={W - PAD.left - PAD.right}
          height={y(75) - y(90)}
          fill={theme.colors.warning.transparent}
        />
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke={theme.colors.border.weak} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className={styles.axis}>
              {v}
            </text>
          </g>
        ))}
        {ticks.map((t, i) => (
          <text
            key={t}
            x={x(t)}
            y={H - 6}
            textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}
            className={styles.axis}
          >
            {timeLabel(t, span)}
          </text>
        ))}
        {series.map((s, i) => (
          <g key={s.labels.stream ?? i}>
            <polyline
              fill="none"
              stroke={color(i)}
              strokeWidth={1.5}
              points={s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
            />
            {/* A stream with a few samples in a long range (a new one, a day's view of a few minutes)
                draws a line of no length: its samples are dots. */}
            {s.points.length <= MAX_DOTS &&
              s.points.map(([t, v]) => (
                <circle key={t} cx={x(t)} cy={y(v)} r={2.5} fill={color(i)}>
                  <title>{`${s.labels.stream ?? 'score'} ${v.toFixed(0)} at ${new Date(t).toISOString()}`}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      <div className={styles.legend}>
        {series.map((s, i) => (
          <span key={s.labels.stream ?? i} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: color(i) }} />
            {s.labels.stream ?? 'score'}
          </span>
        ))}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  svg: css({ width: '100%', height: 'auto', display: 'block' }),
  axis: css({ fill: theme.colors.text.secondary, fontSize: 11 }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  legendItem: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ width: 12, height: 3, display: 'inline-block' }),
});
