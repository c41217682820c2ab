import { safeText } from './safe-text';

/**
 * Deepest nesting of an attribute value kept as structure. JSON.parse accepts any depth, but
 * JSON.stringify, structuredClone and every recursive walk overflow the stack somewhere past a few
 * thousand levels; no real log nests anywhere near this.
 */
export const MAX_VALUE_DEPTH = 32;

type Container = unknown[] | Record<string, unknown>;

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;
const emptyLike = (v: Container): Container => (Array.isArray(v) ? [] : Object.create(null));

/**
 * A copy of the JSON value `v` that every later stage can hold, store and print: strings and keys
 * made safe for PostgreSQL (safeText), objects without a prototype (keys are data), and anything
 * nested deeper than `maxDepth` flattened to its JSON text. Iterative, so no depth overflows it.
 */
export function safeValue(v: unknown, maxDepth = MAX_VALUE_DEPTH): unknown {
  if (typeof v === 'string') return safeText(v);
  if (!isContainer(v)) return v;
  const root = emptyLike(v);
  const todo: [Container, Container, number][] = [[v, root, 1]];
  for (let job = todo.pop(); job; job = todo.pop()) {
    const [from, to, depth] = job;
    for (const [k, x] of Object.entries(from)) {
      let out: unknown = x;
      if (typeof x === 'string') out = safeText(x);
      else if (isContainer(x)) {
        if (depth >= maxDepth) out = safeText(flatJson(x));
        else todo.push([x, (out = emptyLike(x)), depth + 1]);
      }
      if (Array.isArray(to)) to[Number(k)] = out;
      else to[safeText(k)] = out;
    }
  }
  return root;
}

/** Text written as is between values. */
class Raw {
  constructor(readonly text: string) {}
}

/** JSON.stringify without recursion (same output for JSON values), for any depth. */
export function flatJson(v: unknown): string {
  const out: string[] = [];
  const todo: unknown[] = [v];
  while (todo.length > 0) {
    const x = todo.pop();
    if (x instanceof Raw) out.push(x.text);
    else if (Array.isArray(x)) {
      // Pushed in reverse: popped as `[`, item, `,`, item, ..., `]`.
      todo.push(new Raw(']'));
      for (let i = x.length - 1; i >= 0; i--) {
        todo.push(x[i] === undefined ? null : x[i]);
        if (i > 0) todo.push(new Raw(','));
      }
      todo.push(new Raw('['));
    } else if (isContainer(x)) {
      const entries = Object.entries(x).filter(([, e]) => e !== undefined);
      todo.push(new Raw('}'));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, e] = entries[i]!;
        todo.push(e, new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
      }
      todo.push(new Raw('{'));
    } else out.push(JSON.stringify(x) ?? 'null');
  }
  return out.join('');
}
