/** Options as callers pass them: any property may be missing or explicitly `undefined`. */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined }

/**
 * `defaults` with every property of `overrides` laid over it, except those that are `undefined`: an
 * option passed as `undefined` keeps its default (a plain spread would wipe it). One level deep.
 *
 * @example
 * withDefaults({ leaseMs: 60_000, batchesPerTick: 4 }, { leaseMs: undefined, batchesPerTick: 8 })
 * // { leaseMs: 60_000, batchesPerTick: 8 }
 */
export function withDefaults<T extends object>(defaults: T, overrides?: Overrides<T>): T {
  const merged = { ...defaults }
  if (overrides === undefined) return merged
  for (const key of Object.keys(overrides) as (keyof T)[]) {
    const value = overrides[key]
    if (value !== undefined) merged[key] = value as T[keyof T]
  }
  return merged
}
