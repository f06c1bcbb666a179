import type { Provider } from '../contracts/provider.ts'
import type { BatchRecord } from '../contracts/records.ts'
import type { RunnerContext } from './context.ts'

/** What executing a batch's lines needs, fetched once and refreshed about every second. */
export interface BatchRunInfo {
  batch: BatchRecord
  provider: Provider | undefined
  /** The opened provider key; `undefined` when the sealed key could not be opened. */
  credential: string | null | undefined
  fetchedAt: number
}

/** How long a cached batch is trusted before its status is re-read (cancel takes effect within this). */
const refreshMs = 1_000

/** A per-worker cache of batches whose lines are being executed. */
export class BatchCache {
  readonly #ctx: RunnerContext
  readonly #entries = new Map<string, BatchRunInfo>()

  constructor(ctx: RunnerContext) {
    this.#ctx = ctx
  }

  /** The cached info, or undefined when not loaded. */
  peek(batchId: string): BatchRunInfo | undefined {
    return this.#entries.get(batchId)
  }

  /** The cached info while it is fresh enough to trust without a store read, else undefined. */
  fresh(batchId: string): BatchRunInfo | undefined {
    const cached = this.#entries.get(batchId)
    return cached && this.#ctx.clock.now() - cached.fetchedAt < refreshMs ? cached : undefined
  }

  /** Loads (or refreshes when stale) a batch; null when it no longer exists. */
  async load(batchId: string, ownerId: string): Promise<BatchRunInfo | null> {
    const now = this.#ctx.clock.now()
    const cached = this.#entries.get(batchId)
    if (cached && now - cached.fetchedAt < refreshMs) return cached
    const batch = await this.#ctx.store.batches.get({ ownerId }, batchId)
    if (!batch) {
      this.#entries.delete(batchId)
      return null
    }
    let credential: string | null | undefined = cached?.credential
    if (!cached) {
      credential =
        batch.credential === null
          ? null
          : ((await this.#ctx.sealer.open(batch.credential, batch.id)) ?? undefined)
      if (credential === undefined) {
        this.#ctx.logger.error?.(
          'the provider key of a batch cannot be opened with this process secret (is the same secret set in every process?); its lines are left to processes that can',
          { batch: batch.id },
        )
      }
    }
    const info: BatchRunInfo = {
      batch,
      provider: this.#ctx.providers.get(batch.provider),
      credential,
      fetchedAt: now,
    }
    this.#entries.set(batchId, info)
    return info
  }

  /** Forgets a batch, so its next line re-reads it (its status just changed in this process). */
  invalidate(batchId: string): void {
    this.#entries.delete(batchId)
  }

  /**
   * Drops batches not read for `idleMs`, so a long run that goes through many batches keeps only those
   * still in use (a dropped batch with lines left is simply loaded again).
   */
  prune(idleMs: number): void {
    const now = this.#ctx.clock.now()
    for (const [id, info] of this.#entries) if (now - info.fetchedAt > idleMs) this.#entries.delete(id)
  }

  /** Drops batches no longer in use. */
  retain(batchIds: ReadonlySet<string>): void {
    for (const id of this.#entries.keys()) if (!batchIds.has(id)) this.#entries.delete(id)
  }
}
