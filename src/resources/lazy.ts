/**
 * A value computed on first use. The registry imports every kind, and the kinds import the
 * generic helpers (where.ts, object-project.ts) that read the registry: a table those helpers
 * derive from it is made when first asked for, once every module is loaded.
 */
export function lazy<T extends object>(make: () => T): T {
  let value: T | undefined;
  const get = () => (value ??= make());
  return new Proxy({} as T, {
    get(_t, key) {
      const v = Reflect.get(get(), key);
      return typeof v === 'function' ? v.bind(get()) : v;
    },
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
  });
}
