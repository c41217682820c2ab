import { matrix, type Matrix } from '@logsieve/models';
import type { FeatureSpace } from '../features/feature-space';
import type { Unit } from '../features/unit';

export function unitMatrix(units: Unit[], space: FeatureSpace): Matrix {
  const m = matrix(units.length, space.dims);
  units.forEach((u, i) => space.transform(u, m.data.subarray(i * space.dims, (i + 1) * space.dims)));
  return m;
}

/** LSTM input: event 0 opens every unit, then one event index per line (1 = never-seen template). */
export function unitSequences(units: Unit[], space: FeatureSpace): number[][] {
  return units.map((u) => {
    const seq = new Array<number>(u.sequence.length + 1);
    seq[0] = 0;
    for (let i = 0; i < u.sequence.length; i++) seq[i + 1] = space.eventIndex(u.sequence[i]!);
    return seq;
  });
}
