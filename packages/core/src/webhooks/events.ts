import type { WebhookDeliveryRecord, WebhookEventType } from '../contracts/outbox.ts'
import type { BatchRecord } from '../contracts/records.ts'
import { sha256Hex } from '../crypto.ts'
import type { BatchStatus } from '../wire/batch.ts'

/** The event a terminal status sends. */
const eventTypes: Partial<Record<BatchStatus, WebhookEventType>> = {
  completed: 'batch.completed',
  failed: 'batch.failed',
  cancelled: 'batch.cancelled',
  expired: 'batch.expired',
}

/** The event a batch's terminal status sends, or null for a status that sends none. */
export function eventTypeOf(status: BatchStatus): WebhookEventType | null {
  return eventTypes[status] ?? null
}

/** OpenAI's webhook payload: `{ id, object: 'event', type, created_at, data: { id } }`. */
export interface WebhookEventPayload {
  id: string
  object: 'event'
  type: WebhookEventType
  /** Unix seconds: when the batch reached its terminal status. */
  created_at: number
  data: { id: string }
}

/** When the batch entered its terminal status (epoch ms). */
function endedAt(batch: BatchRecord): number {
  return batch.completedAt ?? batch.failedAt ?? batch.cancelledAt ?? batch.expiredAt ?? batch.createdAt
}

/**
 * The event of a batch that ended, derived from the batch alone: its id (`evt_` and 32 hex digits of a
 * SHA-256 of the batch id and type) and payload are the same however often this runs, which is what
 * makes re-running the terminal step after a crash store nothing twice.
 *
 * @example
 * const event = await batchEvent(batch) // { id: 'evt_…', object: 'event', type: 'batch.completed', … }
 */
export async function batchEvent(batch: BatchRecord): Promise<WebhookEventPayload | null> {
  const type = eventTypeOf(batch.status)
  if (type === null) return null
  return {
    id: `evt_${(await sha256Hex(`${batch.id}\n${type}`)).slice(0, 32)}`,
    object: 'event',
    type,
    created_at: Math.floor(endedAt(batch) / 1000),
    data: { id: batch.id },
  }
}

/**
 * The outbox row of `event` for the endpoint at `url`: id `whd_…` derived from both, due at `now`.
 *
 * @example
 * await store.webhooks.enqueue([await deliveryOf(event, batch, url, now)])
 */
export async function deliveryOf(
  event: WebhookEventPayload,
  batch: Pick<BatchRecord, 'id' | 'ownerId'>,
  url: string,
  now: number,
): Promise<WebhookDeliveryRecord> {
  return {
    id: `whd_${(await sha256Hex(`${event.id}\n${url}`)).slice(0, 32)}`,
    eventId: event.id,
    eventType: event.type,
    batchId: batch.id,
    ownerId: batch.ownerId,
    url,
    payload: JSON.stringify(event),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    deliveredAt: null,
    lastStatus: null,
    lastError: null,
  }
}
