/*
 * Objects keyed by data (stream names, attribute and JSON keys, template ids). A plain `{}`
 * inherits Object.prototype: `o['constructor']` is a function, `o['__proto__'] = v` replaces the
 * prototype and stores nothing, `'toString' in o` is true. Maps avoid that where the shape is
 * ours; where it must be a JSON object, it has no prototype and reads look at own keys only.
 */

/** An empty record with no prototype: every key, `__proto__` included, is an ordinary own key. */
export function dataRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `o[key]` only when `o` has it as its own key (for records that came from JSON). */
export function ownValue<T>(o: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}
