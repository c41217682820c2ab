import protobuf from 'protobufjs';

/**
 * Writes ONNX models (onnx.proto's ModelProto) with protobufjs's low-level writer. Field numbers
 * follow the ONNX specification; tensors are stored as little-endian raw_data.
 */
export type ElemType = 'float' | 'int64';
export type AttrValue = number | string | number[] | string[] | Float32Array | { tensor: TensorValue };

export interface TensorValue {
  data: Float32Array | BigInt64Array | number[];
  dims: number[];
  elemType?: ElemType;
}

const DATA_TYPE: Record<ElemType, number> = { float: 1, int64: 7 };
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
// Attributes that ONNX defines as floats even when the value happens to be whole.
const FLOAT_ATTRS = new Set([
  'alpha',
  'beta',
  'epsilon',
  'gamma',
  'clip',
  'value_float',
  'base_values',
  'nodes_values',
  'target_weights',
  'nodes_hitrates',
  'class_weights',
  'activation_alpha',
  'activation_beta',
]);

type W = protobuf.Writer;
const LEN = 2;
const VARINT = 0;
const I32 = 5;
const tag = (w: W, field: number, wire: number) => w.uint32((field << 3) | wire);
const str = (w: W, field: number, s: string) => tag(w, field, LEN).string(s);
const nested = (w: W, field: number, body: (w: W) => void) => {
  tag(w, field, LEN).fork();
  body(w);
  w.ldelim();
};

interface Node {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  domain: string;
  name: string;
}

interface ValueInfo {
  name: string;
  elemType: ElemType;
  dims: (number | string)[];
}

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: (TensorValue & { name: string })[] = [];
  private readonly meta: Record<string, string> = {};
  private readonly names = new Set<string>();
  private counter = 0;
  private readonly opset: number;
  private readonly mlOpset: number;

  constructor(
    private readonly name: string,
    opts: { opset?: number; mlOpset?: number } = {},
  ) {
    this.opset = opts.opset ?? 17;
    this.mlOpset = opts.mlOpset ?? 3;
  }

  input(name: string, elemType: ElemType, dims: (number | string)[]): string {
    this.claim(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  output(name: string, elemType: ElemType, dims: (number | string)[]): void {
    this.outputs.push({ name, elemType, dims });
  }

  initializer(
    name: string,
    data: Float32Array | BigInt64Array | number[],
    dims: number[],
    elemType?: ElemType,
  ): string {
    this.claim(name);
    const type = elemType ?? (data instanceof BigInt64Array ? 'int64' : 'float');
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size)
      throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.initializers.push({ name, data, dims, elemType: type });
    return name;
  }

  /** Adds a node; `outputs` as a count gets fresh names. Returns the output names. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[] | number,
    attrs: Record<string, AttrValue> = {},
    domain = '',
  ): string[] {
    const outs =
      typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType)) : outputs;
    for (const o of outs) this.names.add(o);
    this.nodes.push({ opType, inputs, outputs: outs, attrs, domain, name: `${opType}_${this.nodes.length}` });
    return outs;
  }

  metadata(props: Record<string, string>): void {
    Object.assign(this.meta, props);
  }

  toBytes(): Uint8Array {
    const w = protobuf.Writer.create();
    tag(w, 1, VARINT).int64(8); // ir_version
    str(w, 2, 'logsieve');
    nested(w, 7, (g) => this.writeGraph(g));
    nested(w, 8, (o) => {
      str(o, 1, '');
      tag(o, 2, VARINT).int64(this.opset);
    });
    if (this.nodes.some((n) => n.domain === 'ai.onnx.ml')) {
      nested(w, 8, (o) => {
        str(o, 1, 'ai.onnx.ml');
        tag(o, 2, VARINT).int64(this.mlOpset);
      });
    }
    for (const [k, v] of Object.entries(this.meta)) {
      nested(w, 14, (e) => {
        str(e, 1, k);
        str(e, 2, v);
      });
    }
    return w.finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`duplicate value name ${name}`);
    this.names.add(name);
  }

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix.toLowerCase()}_${this.counter++}`;
    while (this.names.has(n));
    return n;
  }

  private writeGraph(w: W): void {
    for (const n of this.nodes) nested(w, 1, (b) => writeNode(b, n));
    str(w, 2, this.name);
    for (const t of this.initializers) nested(w, 5, (b) => writeTensor(b, t, t.name));
    for (const v of this.inputs) nested(w, 11, (b) => writeValueInfo(b, v));
    for (const v of this.outputs) nested(w, 12, (b) => writeValueInfo(b, v));
  }
}

function writeNode(w: W, n: Node): void {
  for (const i of n.inputs) str(w, 1, i);
  for (const o of n.outputs) str(w, 2, o);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  for (const [k, v] of Object.entries(n.attrs)) nested(w, 5, (b) => writeAttr(b, k, v));
  if (n.domain) str(w, 7, n.domain);
}

function writeAttr(w: W, name: string, v: AttrValue): void {
  str(w, 1, name);
  const isFloat = FLOAT_ATTRS.has(name);
  if (typeof v === 'number') {
    if (isFloat || !Number.isInteger(v)) {
      tag(w, 2, I32).float(v);
      tag(w, 20, VARINT).int32(ATTR.FLOAT);
    } else {
      tag(w, 3, VARINT).int64(v);
      tag(w, 20, VARINT).int32(ATTR.INT);
    }
  } else if (typeof v === 'string') {
    tag(w, 4, LEN).bytes(Buffer.from(v, 'utf8'));
    tag(w, 20, VARINT).int32(ATTR.STRING);
  } else if (
    v instanceof Float32Array ||
    (Array.isArray(v) &&
      (isFloat || (v as number[]).some((x) => typeof x === 'number' && !Number.isInteger(x))))
  ) {
    for (const x of v as ArrayLike<number> & Iterable<number>) tag(w, 7, I32).float(x);
    tag(w, 20, VARINT).int32(ATTR.FLOATS);
  } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    for (const x of v as string[]) tag(w, 9, LEN).bytes(Buffer.from(x, 'utf8'));
    tag(w, 20, VARINT).int32(ATTR.STRINGS);
  } else if (Array.isArray(v)) {
    for (const x of v as number[]) tag(w, 8, VARINT).int64(x);
    tag(w, 20, VARINT).int32(ATTR.INTS);
  } else {
    nested(w, 5, (b) => writeTensor(b, v.tensor, ''));
    tag(w, 20, VARINT).int32(ATTR.TENSOR);
  }
}

function writeTensor(w: W, t: TensorValue, name: string): void {
  for (const d of t.dims) tag(w, 1, VARINT).int64(d);
  const type = t.elemType ?? (t.data instanceof BigInt64Array ? 'int64' : 'float');
  tag(w, 2, VARINT).int32(DATA_TYPE[type]);
  if (name) str(w, 8, name);
  let bytes: Uint8Array;
  if (type === 'float') {
    const f =
      t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number);
    bytes = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  } else {
    const i =
      t.data instanceof BigInt64Array ? t.data : BigInt64Array.from(t.data as number[], (x) => BigInt(x));
    bytes = new Uint8Array(i.buffer, i.byteOffset, i.byteLength);
  }
  tag(w, 9, LEN).bytes(bytes);
}

function writeValueInfo(w: W, v: ValueInfo): void {
  str(w, 1, v.name);
  nested(w, 2, (type) =>
    nested(type, 1, (tensor) => {
      tag(tensor, 1, VARINT).int32(DATA_TYPE[v.elemType]);
      nested(tensor, 2, (shape) => {
        for (const d of v.dims)
          nested(shape, 1, (dim) => (typeof d === 'number' ? tag(dim, 1, VARINT).int64(d) : str(dim, 2, d)));
      });
    }),
  );
}
