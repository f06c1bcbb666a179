/** A store wrapper that notes when batches change status, for per-phase timings. */
import type { BatchStatus, Store } from '@batchkit/core'

/** Milliseconds (performance.now) at which each status was first reached. */
export type PhaseTimes = Partial<Record<BatchStatus, number>>

/**
 * `store` with `batches.transition` observed: `times[status]` is set the first time a transition into it
 * succeeds. Everything else is passed through untouched.
 *
 * @example
 * const times: PhaseTimes = {}
 * const engine = createBatchEngine({ store: observeTransitions(store, times), providers })
 */
export function observeTransitions(store: Store, times: PhaseTimes): Store {
  const batches = new Proxy(store.batches, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (prop === 'transition') {
        const transition = target.transition.bind(target)
        return async (...args: Parameters<typeof transition>) => {
          const result = await transition(...args)
          if (result && times[result.status] === undefined) times[result.status] = performance.now()
          return result
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'batches') return batches
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
