import { matrix, type Matrix } from '@logsieve/models';
import type { FeatureSpace } from '../features/feature-space';
import type { Unit } from '../features/unit';

export function unitMatrix(units: Unit[], space: FeatureSpace): Matrix {
  const m = matrix(units.length, space.dims);
  units.forEach((u, i) => space.transform(u, m.data.subarray(i * space.dims, (i + 1) * space.dims)));
  return m;
}

/** LSTM input: one event index per line (1 = never-seen template); the model adds the start marker. */
export function unitSequences(units: Unit[], space: FeatureSpace): number[][] {
  return units.map((u) => u.sequence.map((id) => space.eventIndex(id)));
}
