import {
  type BatchRecord,
  type ImportedUsage,
  type UsageRecord,
  type UsageStore,
  type UsageTotals,
  utcDay,
} from '@batchkit/core/store'
import type { BatchTable } from './batch-table.ts'

/**
 * The usage rollup of a memory store: one record per (owner, day, provider, model, mode), added to by
 * `record` in the same synchronous step that records a line, and by {@link UsageStore.addImported} once
 * per native batch.
 *
 * @example
 * const rollup = new UsageRollup()
 * rollup.add(batch, 'gpt-4o-mini', usage, now)
 */
export class UsageRollup {
  readonly #records = new Map<string, UsageRecord>()
  /** Native batches whose imported usage is in the rollup. */
  readonly #imported = new Set<string>()

  /** Adds `requests` succeeded lines of `batch` answered by `model`, and their usage, on the UTC day of `now`. */
  add(batch: BatchRecord, model: string, usage: UsageTotals | undefined, now: number, requests = 1): void {
    const day = utcDay(now)
    const key = JSON.stringify([day, batch.ownerId, batch.provider, model, batch.mode])
    let record = this.#records.get(key)
    if (record === undefined) {
      record = {
        ownerId: batch.ownerId,
        day,
        provider: batch.provider,
        model,
        mode: batch.mode,
        requests: 0,
        inputTokens: 0,
        cachedTokens: 0,
        outputTokens: 0,
        reasoningTokens: 0,
        totalTokens: 0,
      }
      this.#records.set(key, record)
    }
    record.requests += requests
    if (usage === undefined) return
    record.inputTokens += usage.inputTokens
    record.cachedTokens += usage.cachedTokens
    record.outputTokens += usage.outputTokens
    record.reasoningTokens += usage.reasoningTokens
    record.totalTokens += usage.totalTokens
  }

  /** The {@link UsageStore} over this rollup and the batches of `table`. */
  store(table: BatchTable): UsageStore {
    return {
      query: async ({ ownerId, fromDay, toDay }) => {
        const rows: UsageRecord[] = []
        for (const record of this.#records.values()) {
          if (ownerId !== undefined && record.ownerId !== ownerId) continue
          if (record.day < fromDay || record.day > toDay) continue
          rows.push({ ...record })
        }
        return rows.sort(compareRecords)
      },
      addImported: async (batchId: string, usage: readonly ImportedUsage[], now: number) => {
        const batch = table.byId.get(batchId)?.record
        if (batch === undefined || this.#imported.has(batchId)) return false
        this.#imported.add(batchId)
        for (const { model, requests, ...tokens } of usage) this.add(batch, model, tokens, now, requests)
        return true
      },
    }
  }
}

const recordKeys = ['day', 'ownerId', 'provider', 'model', 'mode'] as const

function compareRecords(a: UsageRecord, b: UsageRecord): number {
  for (const key of recordKeys) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1
  }
  return 0
}
