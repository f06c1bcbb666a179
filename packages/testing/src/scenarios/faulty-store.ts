import type { Store } from '@batchkit/core'

/** A store whose every call can be made to fail, as during a database outage. */
export interface FaultyStore {
  readonly store: Store
  /** From now on every store call rejects (calls already running finish normally). */
  down(): void
  /** Calls succeed again. */
  up(): void
  /** Calls rejected so far. */
  readonly refused: number
}

/**
 * Wraps `store` so that tests can take it down and bring it back: while down, every method of its files,
 * batches and requests rejects with a connection error, as a database store does during a restart or
 * an outage.
 *
 * @example
 * const faulty = faultyStore(memoryStore())
 * faulty.down(); await expect(engine.runner.tick()).rejects.toThrow(); faulty.up()
 */
export function faultyStore(store: Store): FaultyStore {
  let isDown = false
  let refused = 0
  const guard = <T extends object>(part: T): T =>
    new Proxy(part, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (isDown) {
            refused++
            return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432 (simulated outage)'))
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
  // Top-level methods (a health check) fail too; `close` always works.
  const { close, ...rest } = store
  const wrapped: Store = {
    ...guard(rest),
    files: guard(store.files),
    batches: guard(store.batches),
    requests: guard(store.requests),
  }
  if (close) wrapped.close = () => close.call(store)
  return {
    store: wrapped,
    down: () => {
      isDown = true
    },
    up: () => {
      isDown = false
    },
    get refused() {
      return refused
    },
  }
}
