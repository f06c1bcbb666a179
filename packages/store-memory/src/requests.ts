import {
  type ClaimedRequest,
  type Clock,
  type RequestItem,
  type RequestLease,
  type RequestStore,
  randomHex,
} from '@batchkit/core/store'
import type { BatchTable } from './batch-table.ts'
import { MinHeap } from './heap.ts'
import type { UsageRollup } from './usage.ts'

/** A line leased to one worker: all lines of one claim share it, so a heartbeat is O(1). */
interface Lease {
  readonly token: string
  /** Store-clock time the lease lapses; live while `expiresAt > clock.now()`. */
  expiresAt: number
  /** Lines this lease still holds (not recorded, not re-claimed, not closed). */
  readonly rows: Set<Row>
}

/** One request line. */
interface Row {
  readonly item: RequestItem
  readonly lines: Lines
  state: 'pending' | 'leased' | 'done'
  attempts: number
  /** Not claimable before this domain time. */
  notBefore: number
  /** The lease holding a `leased` row (possibly expired: then it is claimable again). */
  lease: Lease | null
  outcome: { kind: 'succeeded' | 'failed'; line: string } | null
  /** Bumped on every enqueue: a queue entry with an older epoch is stale and skipped. */
  epoch: number
}

/** A queue entry: the row's line index, and its `notBefore` when it entered the delayed queue. */
interface QueueEntry {
  readonly row: Row
  readonly epoch: number
  readonly index: number
  readonly at: number
}

/** The lines of one batch. */
interface Lines {
  readonly batchId: string
  /** Orders batches for claims: the batch's insertion sequence. */
  readonly order: number
  /** All rows, sorted by line index. */
  readonly rows: Row[]
  /** Rows from here on were never claimed: claims walk them in order, no queue needed. */
  cursor: number
  readonly byIndex: Map<number, Row>
  /** Rows behind the cursor that may be claimable again (lapsed leases, due retries), by line index. */
  readonly ready: MinHeap<QueueEntry>
  /** Retried rows waiting for their `notBefore`, by time then line index. */
  readonly delayed: MinHeap<QueueEntry>
  /** Rows currently `leased` (live or expired). */
  readonly leased: Set<Row>
  /** Rows without an outcome. */
  open: number
  /** Whether it is in the claim order (it has open rows). */
  active: boolean
}

/** A lease-expiry queue entry; stale once the lease was extended or dropped. */
interface ExpiryEntry {
  readonly lease: Lease
  readonly at: number
}

/**
 * The request-line half of a memory store.
 *
 * Claims cost O(active batches + claimed · log r), never O(lines) (r: lines that came back). Each batch
 * walks its rows in line order with a cursor for first attempts; lines that come back go to a `ready`
 * heap by line index (merged with the cursor, so claims stay in line order) or, while a retry's
 * `notBefore` lies ahead, to a `delayed` heap. Leases sit in one heap by expiry, and a claim first
 * moves the rows of leases that lapsed since the last claim to their batch's `ready` heap. Rows are
 * never searched for; stale heap entries are skipped when popped.
 *
 * @example
 * const requests = memoryRequests(table, systemClock)
 */
export function memoryRequests(table: BatchTable, clock: Clock, rollup?: UsageRollup): RequestStore {
  const byBatch = new Map<string, Lines>()
  /** Batches with open rows, in claim order (oldest batch first). */
  const active: Lines[] = []
  const leases = new Map<string, Lease>()
  const expiries = new MinHeap<ExpiryEntry>((a, b) => a.at - b.at)
  let orphanOrder = Number.MAX_SAFE_INTEGER / 2

  const linesOf = (batchId: string): Lines => {
    let lines = byBatch.get(batchId)
    if (lines === undefined) {
      lines = {
        batchId,
        order: table.byId.get(batchId)?.seq ?? orphanOrder++,
        rows: [],
        cursor: 0,
        byIndex: new Map(),
        ready: new MinHeap((a, b) => a.index - b.index),
        delayed: new MinHeap((a, b) => a.at - b.at || a.index - b.index),
        leased: new Set(),
        open: 0,
        active: false,
      }
      byBatch.set(batchId, lines)
    }
    return lines
  }

  const syncActive = (lines: Lines): void => {
    const wanted = lines.open > 0 && byBatch.get(lines.batchId) === lines
    if (wanted === lines.active) return
    lines.active = wanted
    if (wanted)
      active.splice(
        upperBound(active, lines.order, (l) => l.order),
        0,
        lines,
      )
    else active.splice(active.indexOf(lines), 1)
  }

  const entry = (row: Row): QueueEntry => ({
    row,
    epoch: ++row.epoch,
    index: row.item.index,
    at: row.notBefore,
  })
  const enqueueReady = (row: Row): void => row.lines.ready.push(entry(row))
  const enqueueDelayed = (row: Row): void => row.lines.delayed.push(entry(row))

  /** The next row worth a look in line order (from the cursor or the ready heap), or undefined. */
  const nextCandidate = (lines: Lines): Row | undefined => {
    for (;;) {
      const fresh = lines.rows[lines.cursor]
      const queued = lines.ready.peek()
      if (queued !== undefined && (fresh === undefined || queued.index < fresh.item.index)) {
        lines.ready.pop()
        if (queued.epoch === queued.row.epoch) return queued.row
        continue
      }
      if (fresh !== undefined) lines.cursor++
      return fresh
    }
  }

  /** Detaches `row` from its lease, dropping the lease once it holds nothing. */
  const unlease = (row: Row): void => {
    const lease = row.lease
    row.lease = null
    row.lines.leased.delete(row)
    if (lease === null) return
    lease.rows.delete(row)
    if (lease.rows.size === 0 && leases.get(lease.token) === lease) leases.delete(lease.token)
  }

  /** Moves rows of leases that lapsed by `storeNow` back to their batch's ready queue. */
  const reapExpired = (storeNow: number): void => {
    for (let top = expiries.peek(); top !== undefined && top.at <= storeNow; top = expiries.peek()) {
      expiries.pop()
      const { lease } = top
      if (lease.expiresAt !== top.at || leases.get(lease.token) !== lease) continue
      for (const row of lease.rows) enqueueReady(row)
    }
  }

  const close = (row: Row, kind: 'succeeded' | 'failed', line: string): void => {
    unlease(row)
    row.state = 'done'
    row.outcome = { kind, line }
    row.lines.open--
  }

  return {
    async insert(batchId, items) {
      const lines = linesOf(batchId)
      for (const item of items) {
        if (lines.byIndex.has(item.index)) continue
        const row: Row = {
          item: { ...item },
          lines,
          state: 'pending',
          attempts: 0,
          notBefore: Number.NEGATIVE_INFINITY,
          lease: null,
          outcome: null,
          epoch: 0,
        }
        lines.byIndex.set(item.index, row)
        const last = lines.rows[lines.rows.length - 1]
        if (last === undefined || last.item.index < item.index) {
          lines.rows.push(row)
        } else {
          const position = upperBound(lines.rows, item.index, (r) => r.item.index)
          lines.rows.splice(position, 0, row)
          // Behind the cursor (claims began before this line arrived): queue it instead.
          if (position < lines.cursor) {
            lines.cursor++
            enqueueReady(row)
          }
        }
        lines.open++
      }
      syncActive(lines)
    },

    async claim({ now, leaseMs, limit, providers }) {
      if (limit <= 0) return null
      const storeNow = clock.now()
      reapExpired(storeNow)
      const lease: Lease = { token: randomHex(16), expiresAt: storeNow + leaseMs, rows: new Set() }
      const requests: ClaimedRequest[] = []
      for (const lines of active) {
        if (requests.length >= limit) break
        const batch = table.byId.get(lines.batchId)?.record
        if (batch === undefined || batch.status !== 'in_progress' || batch.expiresAt <= now) continue
        if (providers !== undefined && !providers.includes(batch.provider)) continue
        for (let top = lines.delayed.peek(); top !== undefined && top.at <= now; top = lines.delayed.peek()) {
          lines.delayed.pop()
          if (top.epoch === top.row.epoch) enqueueReady(top.row)
        }
        while (requests.length < limit) {
          const row = nextCandidate(lines)
          if (row === undefined) break
          if (row.state === 'done') continue
          if (row.state === 'leased' && row.lease !== null && row.lease.expiresAt > storeNow) continue
          if (row.notBefore > now) {
            enqueueDelayed(row)
            continue
          }
          unlease(row)
          row.state = 'leased'
          row.lease = lease
          row.attempts++
          lease.rows.add(row)
          lines.leased.add(row)
          requests.push({
            ...row.item,
            batchId: lines.batchId,
            ownerId: batch.ownerId,
            attempts: row.attempts,
          })
        }
      }
      if (requests.length === 0) return null
      leases.set(lease.token, lease)
      expiries.push({ lease, at: lease.expiresAt })
      return { token: lease.token, expiresAt: lease.expiresAt, requests } satisfies RequestLease
    },

    async heartbeat(token, leaseMs) {
      const lease = leases.get(token)
      if (lease === undefined || lease.rows.size === 0) return 0
      lease.expiresAt = clock.now() + leaseMs
      expiries.push({ lease, at: lease.expiresAt })
      return lease.rows.size
    },

    async record(token, outcomes, now) {
      const lease = leases.get(token)
      if (lease === undefined) return { accepted: 0 }
      let accepted = 0
      const touched = new Set<Lines>()
      for (const outcome of outcomes) {
        const lines = byBatch.get(outcome.batchId)
        const row = lines?.byIndex.get(outcome.index)
        if (lines === undefined || row === undefined || row.state !== 'leased' || row.lease !== lease)
          continue
        accepted++
        touched.add(lines)
        if (outcome.kind === 'retry') {
          unlease(row)
          row.state = 'pending'
          row.notBefore = outcome.notBefore
          if (outcome.unsent === true && row.attempts > 0) row.attempts--
          enqueueDelayed(row)
          continue
        }
        close(row, outcome.kind, outcome.line)
        const batch = table.byId.get(outcome.batchId)?.record
        if (batch === undefined) continue
        if (outcome.kind === 'succeeded') {
          batch.requestCounts.completed++
          rollup?.add(batch, outcome.model ?? batch.model ?? '', outcome.usage, now)
        } else batch.requestCounts.failed++
        if (outcome.usage !== undefined) {
          batch.usage.inputTokens += outcome.usage.inputTokens
          batch.usage.cachedTokens += outcome.usage.cachedTokens
          batch.usage.outputTokens += outcome.usage.outputTokens
          batch.usage.reasoningTokens += outcome.usage.reasoningTokens
          batch.usage.totalTokens += outcome.usage.totalTokens
        }
      }
      for (const lines of touched) {
        syncActive(lines)
        const entry = table.byId.get(lines.batchId)
        if (entry === undefined) continue
        const { status, requestCounts } = entry.record
        if (
          status !== 'in_progress' ||
          requestCounts.completed + requestCounts.failed >= requestCounts.total
        ) {
          table.wake(entry, now)
        }
      }
      return { accepted }
    },

    async nextDue({ now, providers }) {
      const storeNow = clock.now()
      let earliest: number | null = null
      for (const lines of active) {
        const batch = table.byId.get(lines.batchId)?.record
        if (batch === undefined || batch.status !== 'in_progress' || batch.expiresAt <= now) continue
        if (providers !== undefined && !providers.includes(batch.provider)) continue
        for (const row of lines.rows) {
          if (row.state === 'done') continue
          const at =
            row.state === 'leased' && row.lease !== null
              ? now + row.lease.expiresAt - storeNow
              : row.notBefore
          // Due now: nothing earlier matters.
          if (at <= now) return now
          if (earliest === null || at < earliest) earliest = at
        }
      }
      return earliest
    },

    async inFlight(batchId) {
      const lines = byBatch.get(batchId)
      if (lines === undefined) return 0
      const storeNow = clock.now()
      let count = 0
      for (const row of lines.leased) if (row.lease !== null && row.lease.expiresAt > storeNow) count++
      return count
    },

    async closeRemaining(batchId, { code, message, sentMessage }) {
      const lines = byBatch.get(batchId)
      if (lines === undefined) return 0
      const storeNow = clock.now()
      const batch = table.byId.get(batchId)?.record
      let closed = 0
      for (const row of lines.rows) {
        if (row.state === 'done') continue
        if (row.state === 'leased' && row.lease !== null && row.lease.expiresAt > storeNow) continue
        const line = JSON.stringify({
          id: row.item.id,
          custom_id: row.item.customId,
          response: null,
          error: { code, message: row.attempts > 0 ? sentMessage : message },
        })
        close(row, 'failed', line)
        closed++
      }
      if (batch !== undefined) batch.requestCounts.failed += closed
      syncActive(lines)
      return closed
    },

    async readOutcomes(batchId, kind, afterIndex, limit) {
      const lines = byBatch.get(batchId)
      if (lines === undefined) return []
      const out: { index: number; line: string }[] = []
      const rows = lines.rows
      for (
        let i = upperBound(rows, afterIndex, (r) => r.item.index);
        i < rows.length && out.length < limit;
        i++
      ) {
        const row = rows[i]!
        if (row.outcome?.kind === kind) out.push({ index: row.item.index, line: row.outcome.line })
      }
      return out
    },

    async deleteAll(batchId) {
      const lines = byBatch.get(batchId)
      if (lines === undefined) return
      for (const row of [...lines.leased]) unlease(row)
      byBatch.delete(batchId)
      syncActive(lines)
    },
  }
}

/** The first position in `sorted` whose key is greater than `key`. */
function upperBound<T>(sorted: readonly T[], key: number, keyOf: (item: T) => number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (keyOf(sorted[mid]!) <= key) low = mid + 1
    else high = mid
  }
  return low
}
