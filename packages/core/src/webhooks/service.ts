import type { Clock } from '../clock.ts'
import type { WebhookDeliveryRecord, WebhookOutbox } from '../contracts/outbox.ts'
import type { Scope } from '../contracts/scope.ts'

/** Query of {@link WebhooksService.deliveries}: by batch or by event, optionally within one tenant. */
export interface WebhookDeliveriesQuery {
  batchId?: string
  eventId?: string
  /** Only this tenant's deliveries. */
  scope?: Scope
  /** At most this many (default 100). */
  limit?: number
}

/** The host's view of webhook deliveries: what was sent where, and sending an event again. */
export interface WebhooksService {
  /** Deliveries of a batch or an event, oldest first (status, attempts, last status and error). */
  deliveries(query: WebhookDeliveriesQuery): Promise<WebhookDeliveryRecord[]>
  /**
   * Sends an event again (same event id and body, a fresh signature) to every endpoint it went to,
   * delivered or failed: its deliveries become pending and due now, retried as new. Returns how many.
   */
  replay(eventId: string, scope?: Scope): Promise<number>
}

/**
 * The engine's `webhooks` service on the store's outbox (a store without one lists nothing).
 *
 * @example
 * const [delivery] = await engine.webhooks.deliveries({ batchId })
 * await engine.webhooks.replay(delivery.eventId)
 */
export function createWebhooksService(
  outbox: WebhookOutbox | undefined,
  clock: Clock,
  notifyWork: () => void,
): WebhooksService {
  return {
    async deliveries(query) {
      if (outbox === undefined || (query.batchId === undefined && query.eventId === undefined)) return []
      const page = await outbox.list({
        ...(query.batchId === undefined ? {} : { batchId: query.batchId }),
        ...(query.eventId === undefined ? {} : { eventId: query.eventId }),
        ...(query.scope === undefined ? {} : { ownerId: query.scope.ownerId }),
        limit: query.limit ?? 100,
      })
      return page.data
    },
    async replay(eventId, scope) {
      if (outbox === undefined) return 0
      const count = await outbox.replay(eventId, clock.now(), scope?.ownerId)
      if (count > 0) notifyWork()
      return count
    },
  }
}
