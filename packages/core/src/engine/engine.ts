import { systemClock } from '../clock.ts'
import { credentialSealer } from '../crypto.ts'
import { randomHex } from '../ids.ts'
import { defaultLimits } from '../limits.ts'
import { defaultRunnerOptions, type RunnerContext } from '../runner/context.ts'
import { createRunner } from '../runner/runner.ts'
import { ScannedInputs } from '../validation/ingest-index.ts'
import { createBatchesService } from './batches-service.ts'
import { createFilesService } from './files-service.ts'
import { providerRegistry } from './providers.ts'
import type { BatchEngine, BatchEngineOptions } from './types.ts'

/**
 * Creates a batch engine: the Files and Batches services a router serves, and the runner that executes
 * batches. Nothing runs until the runner is ticked (see `startRunnerLoop` in `@batchkit/core/node`).
 *
 * @example
 * const engine = createBatchEngine({
 *   store: memoryStore(),
 *   providers: [mockProvider()],
 *   secret: process.env.BATCHKIT_SECRET,
 * })
 */
export function createBatchEngine(options: BatchEngineOptions): BatchEngine {
  const clock = options.clock ?? systemClock
  const limits = { ...defaultLimits, ...options.limits }
  const providers = providerRegistry(options.providers)
  const logger = options.logger ?? {}
  const sealer = credentialSealer(options.secret ?? randomHex(32))
  if (options.secret === undefined) {
    logger.warn?.(
      'no secret configured: provider keys are sealed with a per-process key and cannot survive a restart',
    )
  }
  const listeners = new Set<() => void>()
  const notifyWork = (): void => {
    for (const listener of listeners) listener()
  }
  const scanned = new ScannedInputs()
  const ctx: RunnerContext = {
    store: options.store,
    scanned,
    clock,
    limits,
    providers,
    sealer,
    logger,
    hooks: options.hooks ?? {},
    workerId: options.workerId ?? `worker-${randomHex(6)}`,
    options: {
      ...defaultRunnerOptions,
      ...options.runner,
      backoff: { ...defaultRunnerOptions.backoff, ...options.runner?.backoff },
    },
    notifyWork,
  }
  const { runner, batchChanged } = createRunner(ctx, listeners)
  return {
    files: createFilesService(options.store, clock, limits, scanned),
    batches: createBatchesService({
      store: options.store,
      clock,
      limits,
      providers,
      sealer,
      notifyWork,
      batchChanged,
    }),
    runner,
    clock,
    limits,
    providers,
  }
}
