import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ScoreChart } from './ScoreChart';

const DAY = 86_400_000;
const TO = Date.UTC(2026, 11, 8, 1, 0);

describe('ScoreChart', () => {
  it('draws a stream with a few samples in a long range as dots, not an invisible line', () => {
    const { container } = render(
      <ScoreChart
        series={[
          { labels: { stream: 'payments' }, points: [[TO - 60_000, 100]] },
          {
            labels: { stream: 'auth' },
            points: Array.from({ length: 500 }, (_, i): [number, number] => [TO - DAY + i * 170_000, 10]),
          },
        ]}
        fromMs={TO - DAY}
        toMs={TO}
      />,
    );
    const dots = container.querySelectorAll('circle');
    expect(dots).toHaveLength(1);
    expect(dots[0]!.querySelector('title')!.textContent).toMatch(/^payments 100 at 2026-12-08T00:59/);
    // A dense series is a line alone.
    expect(container.querySelectorAll('polyline')).toHaveLength(2);
  });
});
