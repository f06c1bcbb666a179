import {
  type BatchEngine,
  type BatchEngineOptions,
  createBatchEngine,
  type OffsetClock,
  type Provider,
  type Scope,
  type Store,
} from '@batchkit/core'
import { afterEach } from 'vitest'

/** A store under test and the clock that drives both it and the engine. */
export interface EngineHarness {
  store: Store
  clock: OffsetClock
  cleanup?(): Promise<void>
}

/** An engine on a fresh harness, a fresh tenant, and the harness itself. */
export interface ScenarioContext extends EngineHarness {
  engine: BatchEngine
  scope: Scope
}

/** Creates a scenario's engine (fast backoff, 2 s leases, a fixed secret) over a fresh harness. */
export type ScenarioSetup = (
  providers: Provider[],
  extra?: Partial<BatchEngineOptions>,
  wrapStore?: (store: Store) => Store,
) => Promise<ScenarioContext>

/**
 * The setup function of the engine scenarios: each call makes a harness (cleaned up after the test),
 * optionally wraps its store (fault injection), and creates an engine on it. Call it inside `describe`.
 *
 * @example
 * const setup = scenarioSetup(make)
 * it('…', async () => { const { engine, scope } = await setup([provider]) })
 */
export function scenarioSetup(make: () => Promise<EngineHarness> | EngineHarness): ScenarioSetup {
  let cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanups) await c()
    cleanups = []
  })
  return async (providers, extra = {}, wrapStore) => {
    const harness = await make()
    if (harness.cleanup) cleanups.push(harness.cleanup)
    const store = wrapStore ? wrapStore(harness.store) : harness.store
    const engine: BatchEngine = createBatchEngine({
      store,
      clock: harness.clock,
      providers,
      secret: 'test-secret-test-secret',
      ...extra,
      runner: { backoff: { baseMs: 1, maxMs: 5 }, leaseMs: 2_000, ...extra.runner },
    })
    const scope: Scope = { ownerId: `owner-${Math.random().toString(16).slice(2)}` }
    return { ...harness, store, engine, scope }
  }
}
