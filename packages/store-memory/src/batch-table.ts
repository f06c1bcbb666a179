import { type BatchRecord, isTerminal } from '@batchkit/core/store'

/** A stored batch with its bookkeeping. */
export interface BatchEntry {
  record: BatchRecord
  /** Insertion sequence: orders lists and claims (many batches share a millisecond). */
  readonly seq: number
  /** Position in the owner's list. */
  readonly ownerPosition: number
  /** Token of the batch lease, or null. A lease is live while `leaseExpiresAt > clock.now()`. */
  leaseToken: string | null
  leaseExpiresAt: number
  /**
   * Earliest wake-up a recorded outcome asked for while a lease held the batch. `release` keeps it,
   * so a holder that decided "nothing to do" just before the last line finished cannot lose the wake-up.
   */
  wakeDuringLease: number | null
}

/**
 * The batches of a memory store, shared by its batch and request stores (request outcomes update
 * batch counters and wake batches).
 *
 * @example
 * const table = new BatchTable()
 * const entry = table.add(record)
 */
export class BatchTable {
  readonly byId = new Map<string, BatchEntry>()
  readonly byOwner = new Map<string, BatchEntry[]>()
  /** Key: `ownerId \0 idempotencyKey`. */
  readonly byIdempotencyKey = new Map<string, BatchEntry>()
  /** Batches whose `wakeAt` is set: the only candidates of a batch claim. */
  readonly scheduled = new Set<BatchEntry>()
  #seq = 0

  /** Stores `record` (already copied) as a new entry. */
  add(record: BatchRecord): BatchEntry {
    let owned = this.byOwner.get(record.ownerId)
    if (owned === undefined) {
      owned = []
      this.byOwner.set(record.ownerId, owned)
    }
    const entry: BatchEntry = {
      record,
      seq: this.#seq++,
      ownerPosition: owned.length,
      leaseToken: null,
      leaseExpiresAt: 0,
      wakeDuringLease: null,
    }
    owned.push(entry)
    this.byId.set(record.id, entry)
    if (record.idempotencyKey !== null) {
      this.byIdempotencyKey.set(idempotencyKey(record.ownerId, record.idempotencyKey), entry)
    }
    this.syncScheduled(entry)
    return entry
  }

  /** The entry of `ownerId` created with `key`, if any. */
  /** The input files of batches that have not ended. */
  activeInputs(): Set<string> {
    const inputs = new Set<string>()
    for (const { record } of this.byId.values())
      if (!isTerminal(record.status)) inputs.add(record.inputFileId)
    return inputs
  }

  byKey(ownerId: string, key: string): BatchEntry | undefined {
    return this.byIdempotencyKey.get(idempotencyKey(ownerId, key))
  }

  /** Keeps {@link scheduled} in step with `entry.record.wakeAt`; call after every change of it. */
  syncScheduled(entry: BatchEntry): void {
    if (entry.record.wakeAt === null) this.scheduled.delete(entry)
    else this.scheduled.add(entry)
  }

  /** Makes the batch due at `now` at the latest, remembering the wake-up if a lease holds it. */
  wake(entry: BatchEntry, now: number): void {
    const { record } = entry
    if (record.wakeAt === null || record.wakeAt > now) {
      record.wakeAt = now
      this.syncScheduled(entry)
    }
    this.rememberWake(entry, now)
  }

  /** While a lease (even a lapsed one) holds the batch, keeps `at` for its release, which never postpones it. */
  rememberWake(entry: BatchEntry, at: number): void {
    if (entry.leaseToken !== null) {
      entry.wakeDuringLease = entry.wakeDuringLease === null ? at : Math.min(entry.wakeDuringLease, at)
    }
  }
}

/** True while `entry` is held by the lease `token` (any token when omitted) at store time `storeNow`. */
export function leaseHolds(entry: BatchEntry, storeNow: number, token?: string): boolean {
  if (entry.leaseToken === null || entry.leaseExpiresAt <= storeNow) return false
  return token === undefined || entry.leaseToken === token
}

function idempotencyKey(ownerId: string, key: string): string {
  return `${ownerId}\u0000${key}`
}
