/** A fully connected layer y = x W + b with W stored [inputs, outputs] row-major (ONNX MatMul's layout). */
export interface Dense {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** Glorot-uniform weights, zero biases. */
export function dense(inputs: number, outputs: number, random: () => number): Dense {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const w = new Float64Array(inputs * outputs);
  for (let i = 0; i < w.length; i++) w[i] = (2 * random() - 1) * limit;
  return { inputs, outputs, w, b: new Float64Array(outputs) };
}

/** out[rows, outputs] = x[rows, inputs] W + b. */
export function denseForward(layer: Dense, x: Float64Array, rows: number, out: Float64Array): void {
  const { inputs: I, outputs: O, w, b } = layer;
  for (let r = 0; r < rows; r++) {
    const x0 = r * I;
    const o0 = r * O;
    // Accumulating in a local keeps the sum in a register: much faster in V8 than += on the array.
    for (let j = 0; j < O; j++) {
      let acc = b[j]!;
      for (let i = 0, wi = j; i < I; i++, wi += O) acc += x[x0 + i]! * w[wi]!;
      out[o0 + j] = acc;
    }
  }
}

/** dW += x^T dOut and dB += column sums of dOut. */
export function denseParamGrad(
  layer: Dense,
  x: Float64Array,
  rows: number,
  dOut: Float64Array,
  gradW: Float64Array,
  gradB: Float64Array,
): void {
  const { inputs: I, outputs: O } = layer;
  for (let j = 0; j < O; j++) {
    let acc = 0;
    for (let r = 0, o = j; r < rows; r++, o += O) acc += dOut[o]!;
    gradB[j] += acc;
  }
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < O; j++) {
      let acc = 0;
      for (let r = 0, xi = i, o = j; r < rows; r++, xi += I, o += O) acc += x[xi]! * dOut[o]!;
      gradW[i * O + j] += acc;
    }
  }
}

/** dX = dOut W^T (overwriting dX). */
export function denseInputGrad(layer: Dense, dOut: Float64Array, rows: number, dX: Float64Array): void {
  const { inputs: I, outputs: O, w } = layer;
  for (let r = 0; r < rows; r++) {
    const o0 = r * O;
    for (let i = 0; i < I; i++) {
      const w0 = i * O;
      let acc = 0;
      for (let j = 0; j < O; j++) acc += dOut[o0 + j]! * w[w0 + j]!;
      dX[r * I + i] = acc;
    }
  }
}

/** Rounds every parameter to float32 so the TypeScript reference computes with the exported weights. */
export function roundToFloat32(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]!);
}
