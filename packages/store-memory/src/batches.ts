import {
  type BacklogEntry,
  type BatchLease,
  type BatchRecord,
  type BatchStore,
  type Clock,
  isTerminal,
  randomHex,
} from '@batchkit/core/store'
import type { BatchEntry, BatchTable } from './batch-table.ts'
import { leaseHolds } from './batch-table.ts'
import { applyPatch, copyBatch } from './copy.ts'

/**
 * The batch half of a memory store. Every method runs synchronously inside its promise, so each
 * compare-and-set is atomic within the process. Leases are timed with `clock`.
 *
 * @example
 * const batches = memoryBatches(new BatchTable(), systemClock)
 */
export function memoryBatches(table: BatchTable, clock: Clock): BatchStore {
  const visible = (ownerId: string, id: string): BatchEntry | undefined => {
    const entry = table.byId.get(id)
    return entry !== undefined && entry.record.ownerId === ownerId ? entry : undefined
  }

  return {
    async insert(record) {
      const existing =
        (record.idempotencyKey === null ? undefined : table.byKey(record.ownerId, record.idempotencyKey)) ??
        table.byId.get(record.id)
      if (existing !== undefined) return copyBatch(existing.record)
      return copyBatch(table.add(copyBatch(record)).record)
    },

    async get(scope, id) {
      const entry = visible(scope.ownerId, id)
      return entry === undefined ? null : copyBatch(entry.record)
    },

    async list(scope, { limit, after }) {
      const owned = table.byOwner.get(scope.ownerId) ?? []
      let i = owned.length - 1
      if (after !== undefined) {
        const cursor = visible(scope.ownerId, after)
        if (cursor === undefined) return { data: [], hasMore: false }
        i = cursor.ownerPosition - 1
      }
      const data: BatchRecord[] = []
      for (; i >= 0 && data.length < limit; i--) data.push(copyBatch(owned[i]!.record))
      return { data, hasMore: i >= 0 }
    },

    async countCreatedSince(scope, since) {
      let count = 0
      for (const entry of table.byOwner.get(scope.ownerId) ?? []) if (entry.record.createdAt >= since) count++
      return count
    },

    async hasActiveInput(scope, fileId) {
      for (const { record } of table.byOwner.get(scope.ownerId) ?? []) {
        if (record.inputFileId === fileId && !isTerminal(record.status)) return true
      }
      return false
    },

    async transition(id, from, to, patch, fence) {
      const entry = table.byId.get(id)
      if (entry === undefined || !from.includes(entry.record.status)) return null
      if (fence !== undefined && !leaseHolds(entry, clock.now(), fence)) return null
      applyPatch(entry.record, patch)
      entry.record.status = to
      table.syncScheduled(entry)
      // A wake-up set by someone other than the lease holder (a cancel) survives the holder's release.
      if (fence === undefined && patch.wakeAt != null) table.rememberWake(entry, patch.wakeAt)
      return copyBatch(entry.record)
    },

    async update(id, patch, fence) {
      const entry = table.byId.get(id)
      if (entry === undefined || !leaseHolds(entry, clock.now(), fence)) return false
      applyPatch(entry.record, patch)
      table.syncScheduled(entry)
      return true
    },

    async claim({ now, leaseMs, limit }) {
      const storeNow = clock.now()
      const due: BatchEntry[] = []
      for (const entry of table.scheduled) {
        const { wakeAt } = entry.record
        if (wakeAt !== null && wakeAt <= now && !leaseHolds(entry, storeNow)) due.push(entry)
      }
      due.sort((a, b) => a.record.wakeAt! - b.record.wakeAt! || a.seq - b.seq)
      const leases: BatchLease[] = []
      for (const entry of due.slice(0, Math.max(0, limit))) {
        entry.leaseToken = randomHex(16)
        entry.leaseExpiresAt = storeNow + leaseMs
        entry.wakeDuringLease = null
        leases.push({
          token: entry.leaseToken,
          expiresAt: entry.leaseExpiresAt,
          batch: copyBatch(entry.record),
        })
      }
      return leases
    },

    async heartbeat(id, token, leaseMs) {
      const entry = table.byId.get(id)
      const storeNow = clock.now()
      if (entry === undefined || !leaseHolds(entry, storeNow, token)) return false
      entry.leaseExpiresAt = storeNow + leaseMs
      return true
    },

    async release(id, token, wakeAt) {
      const entry = table.byId.get(id)
      if (entry === undefined || entry.leaseToken !== token) return
      const woken = entry.wakeDuringLease
      entry.leaseToken = null
      entry.leaseExpiresAt = 0
      entry.wakeDuringLease = null
      entry.record.wakeAt = woken === null ? wakeAt : wakeAt === null ? woken : Math.min(wakeAt, woken)
      table.syncScheduled(entry)
    },

    async nextWake({ now, providers }) {
      const storeNow = clock.now()
      let earliest: number | null = null
      for (const entry of table.scheduled) {
        const { wakeAt, provider } = entry.record
        if (wakeAt === null || (providers !== undefined && !providers.includes(provider))) continue
        const at = leaseHolds(entry, storeNow)
          ? Math.max(wakeAt, now + entry.leaseExpiresAt - storeNow)
          : wakeAt
        if (earliest === null || at < earliest) earliest = at
      }
      return earliest === null ? null : Math.max(earliest, now)
    },

    async backlog() {
      const byProvider = new Map<string, BacklogEntry>()
      for (const { record } of table.byId.values()) {
        if (record.status !== 'in_progress') continue
        const { provider, requestCounts } = record
        let entry = byProvider.get(provider)
        if (entry === undefined) {
          entry = { provider, batches: 0, lines: 0 }
          byProvider.set(provider, entry)
        }
        entry.batches++
        entry.lines += Math.max(0, requestCounts.total - requestCounts.completed - requestCounts.failed)
      }
      return [...byProvider.values()].sort((a, b) => a.provider.localeCompare(b.provider))
    },
  }
}
