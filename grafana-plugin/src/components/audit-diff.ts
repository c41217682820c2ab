/** Leaf values of a JSON value by dotted path ("models.lstm.enabled"). */
function leaves(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  // A missing whole value (created or deleted) has no leaves, so every leaf shows as added/removed.
  if (prefix === '' && (v === null || v === undefined)) return out;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
  return out;
}

const show = (v: unknown) => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));

/** What an audit entry changed, one "path: before → after" per changed leaf. */
export function describeChange(before: unknown, after: unknown): string[] {
  const a = leaves(before);
  const b = leaves(after);
  const changed: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (JSON.stringify(a.get(key)) === JSON.stringify(b.get(key))) continue;
    changed.push(`${key ? `${key}: ` : ''}${show(a.get(key))} → ${show(b.get(key))}`);
  }
  return changed;
}
