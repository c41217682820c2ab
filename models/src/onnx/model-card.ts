/** What a model bundle says about each model: enough to reproduce it or drop in a replacement. */
export interface ModelCard {
  name: string;
  version: string;
  description: string;
  inputs: { name: string; type: string; shape: (number | string)[]; meaning: string }[];
  outputs: { name: string; type: string; shape: (number | string)[]; meaning: string }[];
  hyperparameters: Record<string, number | string | boolean>;
  training: Record<string, number>;
}

/** The input/output contract shared by the feature-vector models (and any drop-in replacement). */
export function featureModelIO(dims: number): Pick<ModelCard, 'inputs' | 'outputs'> {
  return {
    inputs: [
      {
        name: 'X',
        type: 'float32',
        shape: ['N', dims],
        meaning: 'unit feature vectors, scaled as manifest.features says',
      },
    ],
    outputs: [
      { name: 'score', type: 'float32', shape: ['N'], meaning: 'raw anomaly score, higher = more anomalous' },
    ],
  };
}
