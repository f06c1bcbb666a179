import type { Store } from '@batchkit/core/store'

/**
 * A store under test. `clock` is the domain clock the suite passes as `now`; it must also drive the
 * store's lease clock where the store has one (a database store times leases with the database clock,
 * so the suite tests lease expiry with short real leases, never with `advance`).
 *
 * @example
 * const clock = offsetClock()
 * const harness: StoreHarness = { store: memoryStore({ clock }), clock }
 */
export interface StoreHarness {
  store: Store
  clock: { now(): number; advance(ms: number): void }
  /** Runs after each test (close connections, remove temp dirs). */
  cleanup?(): Promise<void>
}

/** Gives a suite the harness of the running test. */
export type HarnessRef = () => StoreHarness
