import { systemClock } from '@batchkit/core'
import type { Clock, Store } from '@batchkit/core/store'
import { BatchTable } from './batch-table.ts'
import { memoryBatches } from './batches.ts'
import type { BlobStore } from './blob-store.ts'
import { memoryFiles } from './files.ts'
import { memoryBlobs } from './memory-blobs.ts'
import { memoryRequests } from './requests.ts'
import { UsageRollup } from './usage.ts'
import { memoryWebhooks } from './webhooks.ts'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Times leases (`expiresAt`, liveness); the system clock by default. Domain time comes from callers. */
  clock?: Clock
  /** Where file content goes; in process memory by default. Use `fsBlobs(dir)` for bounded memory. */
  blobs?: BlobStore
}

/**
 * A complete batchkit {@link Store} in process memory: for tests, demos and single-process apps.
 * State is lost on exit and not shared between processes.
 *
 * @example
 * import { memoryStore } from '@batchkit/store-memory'
 * const engine = createBatchEngine({ store: memoryStore(), providers })
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const clock = options.clock ?? systemClock
  const table = new BatchTable()
  const rollup = new UsageRollup()
  return {
    files: memoryFiles(options.blobs ?? memoryBlobs(), () => table.activeInputs()),
    batches: memoryBatches(table, clock),
    requests: memoryRequests(table, clock, rollup),
    webhooks: memoryWebhooks(),
    usage: rollup.store(table),
    /** Always ready: the state is in this process. */
    async ping() {},
  }
}
