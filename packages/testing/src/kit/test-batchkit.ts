import {
  type BatchEngine,
  type BatchEngineOptions,
  createBatchEngine,
  type OffsetClock,
  offsetClock,
  type Scope,
  type Store,
} from '@batchkit/core'

/** Options of {@link createTestBatchkit}: the engine's, with the store built on the kit's clock. */
export interface TestBatchkitOptions extends Omit<BatchEngineOptions, 'store' | 'clock'> {
  /**
   * Builds the store on the kit's clock, so leases and deadlines follow it, e.g.
   * `(clock) => memoryStore({ clock })`.
   */
  store: (clock: OffsetClock) => Store
}

/** Options of {@link TestBatchkit.runUntilIdle}. */
export interface RunUntilIdleOptions {
  /** Stops as soon as this holds (checked before every tick). */
  until?: () => boolean | Promise<boolean>
  /** Fails when the next work is due further ahead than this from the start (default 48 h). */
  horizonMs?: number
  /** Fails after this many ticks (default 10,000). */
  maxTicks?: number
}

/** What {@link TestBatchkit.runUntilIdle} did. */
export interface IdleReport {
  ticks: number
  /** How far the kit's clock was moved forward, in ms. */
  advancedMs: number
}

/** An engine for a host's unit tests, on a clock the kit moves forward itself. */
export interface TestBatchkit {
  readonly engine: BatchEngine
  readonly store: Store
  /** The one clock of the engine and the store: real time plus whatever the kit skipped. */
  readonly clock: OffsetClock
  /** A tenant for the test's calls. */
  readonly scope: Scope
  /**
   * Ticks the runner until no work is left anywhere (every batch ended and its terminal work done), or
   * `until` holds. Whenever the runner is only waiting — a retry's backoff or `retry-after`, a native
   * poll, a batch's 24 h deadline — the clock jumps to when that work is due, so a batch with retries
   * and expiry finishes in milliseconds of real time.
   */
  runUntilIdle(options?: RunUntilIdleOptions): Promise<IdleReport>
  /** Closes the store. */
  close(): Promise<void>
}

/**
 * An engine for a host's unit tests: one clock, made once and given to both the store and the engine,
 * and {@link TestBatchkit.runUntilIdle}, which skips the waiting.
 *
 * @example
 * const kit = createTestBatchkit({ store: (clock) => memoryStore({ clock }), providers: [myProvider] })
 * const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(10))
 * await kit.runUntilIdle()
 * expect((await kit.engine.batches.get(kit.scope, created.id)).status).toBe('completed')
 */
export function createTestBatchkit(options: TestBatchkitOptions): TestBatchkit {
  const clock = offsetClock()
  const store = options.store(clock)
  const engine = createBatchEngine({
    secret: 'batchkit-test-secret-0000',
    ...options,
    store,
    clock,
  })
  const scope: Scope = { ownerId: 'test-tenant' }
  return {
    engine,
    store,
    clock,
    scope,
    async runUntilIdle({ until, horizonMs = 48 * 3_600_000, maxTicks = 10_000 } = {}) {
      const start = clock.now()
      let advancedMs = 0
      for (let ticks = 0; ticks < maxTicks; ) {
        if (until && (await until())) return { ticks, advancedMs }
        const report = await engine.runner.tick({ budgetMs: Number.POSITIVE_INFINITY })
        ticks++
        if (report.more) continue
        if (report.nextDueAt === null) return { ticks, advancedMs }
        if (report.nextDueAt - start > horizonMs) {
          throw new Error(
            `runUntilIdle: the next work is due ${Math.round((report.nextDueAt - start) / 1000)} s ahead, beyond the horizon of ${horizonMs / 1000} s.`,
          )
        }
        const skip = report.nextDueAt - clock.now()
        if (skip > 0) {
          clock.advance(skip)
          advancedMs += skip
        }
      }
      throw new Error(`runUntilIdle: still busy after ${maxTicks} ticks.`)
    },
    async close() {
      await store.close?.()
    },
  }
}
