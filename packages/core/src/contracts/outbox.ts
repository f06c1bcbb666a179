import type { StorePage } from './store.ts'

/** The batch events batchkit sends, as OpenAI names them. */
export type WebhookEventType = 'batch.completed' | 'batch.failed' | 'batch.cancelled' | 'batch.expired'

/** Where a delivery stands: waiting for an attempt (or a retry), delivered, or given up. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed'

/**
 * One event to send to one endpoint: a row of the outbox. Ids are derived from the batch (event) and the
 * endpoint (delivery), so enqueueing the same event again stores nothing new. Times are epoch ms.
 */
export interface WebhookDeliveryRecord {
  /** `whd_…`, stable per (event, endpoint). */
  id: string
  /** `evt_…`, stable per (batch, event type): the `webhook-id` header and the payload's `id`. */
  eventId: string
  eventType: WebhookEventType
  batchId: string
  ownerId: string
  /** The endpoint's url; its secret is looked up when sending, never stored. */
  url: string
  /** The exact JSON body sent on every attempt. */
  payload: string
  status: WebhookDeliveryStatus
  /** Attempts made (each claim counts one). */
  attempts: number
  /** Not claimable before this time. */
  nextAttemptAt: number
  createdAt: number
  /** When an endpoint answered 2xx, or null. */
  deliveredAt: number | null
  /** The last attempt's HTTP status, or null when it got no answer. */
  lastStatus: number | null
  /** Why the last attempt failed (bounded text), or null. */
  lastError: string | null
}

/** A delivery leased to one worker: only the holder of `token` may settle it. */
export interface WebhookDeliveryLease {
  token: string
  /** When the lease lapses (domain time). */
  expiresAt: number
  delivery: WebhookDeliveryRecord
}

/** What an attempt came to, for {@link WebhookOutbox.settle}. */
export type WebhookAttemptResult =
  | { status: 'delivered'; at: number; lastStatus: number }
  | { status: 'pending'; nextAttemptAt: number; lastStatus: number | null; lastError: string }
  | { status: 'failed'; lastStatus: number | null; lastError: string }

/** Query of {@link WebhookOutbox.list}: the deliveries of one batch or of one event. */
export interface WebhookDeliveryQuery {
  batchId?: string
  eventId?: string
  /** Only this owner's deliveries. */
  ownerId?: string
  limit: number
}

/**
 * The webhook outbox: deliveries written by the terminal step of a batch, leased to workers with fencing
 * tokens (like request lines), settled once per attempt. At-least-once: a lapsed lease makes a delivery
 * claimable again, and the holder of the old token can no longer settle it.
 */
export interface WebhookOutbox {
  /** Stores deliveries; one whose id exists already is left as it is. */
  enqueue(deliveries: readonly WebhookDeliveryRecord[]): Promise<void>
  /**
   * Leases up to `limit` `pending` deliveries whose `nextAttemptAt <= now` and that no live lease holds,
   * earliest first. Each claim counts one attempt and has a fresh token; leases end at `now + leaseMs`.
   */
  claim(query: {
    workerId: string
    now: number
    leaseMs: number
    limit: number
  }): Promise<WebhookDeliveryLease[]>
  /** Records an attempt's result while `token` still holds the delivery; false (nothing written) when not. */
  settle(id: string, token: string, result: WebhookAttemptResult): Promise<boolean>
  /** Deliveries of a batch or an event, oldest first. */
  list(query: WebhookDeliveryQuery): Promise<StorePage<WebhookDeliveryRecord>>
  /**
   * Sends deliveries again: every delivery of `eventId` (of `ownerId`, when given) becomes `pending`, due at
   * `now`, with no lease and its attempts reset. Returns how many.
   */
  replay(eventId: string, now: number, ownerId?: string): Promise<number>
  /** The earliest time {@link claim} could return a delivery (a lapsing lease counts); null: none pending. */
  nextDue(now: number): Promise<number | null>
}
