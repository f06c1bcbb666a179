import type { RunnerContext } from '../runner/context.ts'
import { createRunner } from '../runner/runner.ts'
import { queryUsage } from '../usage/query.ts'
import { ScannedInputs } from '../validation/ingest-index.ts'
import { createWebhooksService } from '../webhooks/service.ts'
import { createBatchesService } from './batches-service.ts'
import { createFilesService } from './files-service.ts'
import { providerRegistry } from './providers.ts'
import { resolveSettings } from './settings.ts'
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
  const settings = resolveSettings(options)
  const { clock, limits, logger, sealer } = settings
  const providers = providerRegistry(options.providers)
  if (settings.webhooks !== undefined && options.store.webhooks === undefined) {
    throw new TypeError('createBatchEngine({ webhooks }): this store has no webhook outbox (store.webhooks).')
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
    hooks: settings.hooks,
    telemetry: settings.telemetry,
    get workerId() {
      return settings.workerId()
    },
    options: settings.runner,
    webhooks: settings.webhooks,
    notifyWork,
  }
  const { runner, batchChanged, heldLines } = createRunner(ctx, listeners)
  settings.telemetry?.attach?.({
    workerId: () => ctx.workerId,
    heldLines,
    backlog: async () => (await options.store.batches.backlog?.()) ?? null,
  })
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
    webhooks: createWebhooksService(options.store.webhooks, clock, notifyWork),
    usage: (query) => queryUsage(options.store, query, options.usage),
  }
}
