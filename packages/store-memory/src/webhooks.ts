import {
  randomHex,
  type StorePage,
  type WebhookDeliveryLease,
  type WebhookDeliveryRecord,
  type WebhookOutbox,
} from '@batchkit/core/store'

/** A delivery and its lease (token and end, domain time), if any. */
interface Entry {
  record: WebhookDeliveryRecord
  leaseToken: string | null
  leaseExpiresAt: number
  /** Insertion order, for stable listing. */
  readonly seq: number
}

/**
 * The memory store's webhook outbox: deliveries in a map, claims by a scan of the pending ones (a
 * process has few webhook deliveries in flight), leases and fencing as the contract says.
 *
 * @example
 * const outbox = memoryWebhooks()
 * await outbox.enqueue([delivery])
 */
export function memoryWebhooks(): WebhookOutbox {
  const entries = new Map<string, Entry>()
  /** Deliveries not delivered or failed yet. */
  const pending = new Set<Entry>()
  let seq = 0
  const copy = (entry: Entry): WebhookDeliveryRecord => ({ ...entry.record })
  return {
    async enqueue(deliveries) {
      for (const delivery of deliveries) {
        if (entries.has(delivery.id)) continue
        const entry: Entry = { record: { ...delivery }, leaseToken: null, leaseExpiresAt: 0, seq: seq++ }
        entries.set(delivery.id, entry)
        if (entry.record.status === 'pending') pending.add(entry)
      }
    },
    async claim({ now, leaseMs, limit }) {
      const due = [...pending]
        .filter(
          (entry) =>
            entry.record.nextAttemptAt <= now && (entry.leaseToken === null || entry.leaseExpiresAt <= now),
        )
        .sort((a, b) => a.record.nextAttemptAt - b.record.nextAttemptAt || a.seq - b.seq)
        .slice(0, limit)
      return due.map((entry): WebhookDeliveryLease => {
        entry.leaseToken = randomHex(12)
        entry.leaseExpiresAt = now + leaseMs
        entry.record.attempts += 1
        return { token: entry.leaseToken, expiresAt: entry.leaseExpiresAt, delivery: copy(entry) }
      })
    },
    async settle(id, token, result) {
      const entry = entries.get(id)
      if (entry === undefined || entry.leaseToken !== token || entry.record.status !== 'pending') return false
      const { record } = entry
      entry.leaseToken = null
      record.status = result.status
      record.lastStatus = result.lastStatus
      if (result.status === 'delivered') {
        record.deliveredAt = result.at
        record.lastError = null
      } else {
        record.lastError = result.lastError
      }
      if (result.status === 'pending') record.nextAttemptAt = result.nextAttemptAt
      else pending.delete(entry)
      return true
    },
    async list(query): Promise<StorePage<WebhookDeliveryRecord>> {
      const matches = [...entries.values()]
        .filter(
          ({ record }) =>
            (query.batchId === undefined || record.batchId === query.batchId) &&
            (query.eventId === undefined || record.eventId === query.eventId) &&
            (query.ownerId === undefined || record.ownerId === query.ownerId),
        )
        .sort((a, b) => a.seq - b.seq)
      return { data: matches.slice(0, query.limit).map(copy), hasMore: matches.length > query.limit }
    },
    async replay(eventId, now, ownerId) {
      let count = 0
      for (const entry of entries.values()) {
        const { record } = entry
        if (record.eventId !== eventId || (ownerId !== undefined && record.ownerId !== ownerId)) continue
        Object.assign(record, { status: 'pending', nextAttemptAt: now, attempts: 0, deliveredAt: null })
        entry.leaseToken = null
        pending.add(entry)
        count++
      }
      return count
    },
    async nextDue(now) {
      let next: number | null = null
      for (const entry of pending) {
        const leased = entry.leaseToken !== null && entry.leaseExpiresAt > now
        const at = leased
          ? Math.max(entry.record.nextAttemptAt, entry.leaseExpiresAt)
          : entry.record.nextAttemptAt
        if (next === null || at < next) next = at
      }
      return next
    },
  }
}
