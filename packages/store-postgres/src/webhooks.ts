import type {
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEventType,
  WebhookOutbox,
} from '@batchkit/core/store'
import { type RawRow, retryOnConflict, type StoreContext } from './context.ts'

/** A delivery record from a raw `webhook_deliveries` row. */
function deliveryOf(row: RawRow): WebhookDeliveryRecord {
  const optional = (value: unknown): number | null => (value === null ? null : Number(value))
  return {
    id: row.id as string,
    eventId: row.event_id as string,
    eventType: row.event_type as WebhookEventType,
    batchId: row.batch_id as string,
    ownerId: row.owner_id as string,
    url: row.url as string,
    payload: row.payload as string,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts as number,
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
    deliveredAt: optional(row.delivered_at),
    lastStatus: optional(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
  }
}

/**
 * The webhook outbox of a Postgres store: rows of `webhook_deliveries`, claimed with
 * `FOR UPDATE SKIP LOCKED` under leases fenced by a token, each operation one statement.
 *
 * @example
 * const outbox = postgresWebhooks(ctx)
 */
export function postgresWebhooks(ctx: StoreContext): WebhookOutbox {
  const { statements: st } = ctx
  return {
    async enqueue(deliveries) {
      if (deliveries.length === 0) return
      const column = <K extends keyof WebhookDeliveryRecord>(key: K) => deliveries.map((d) => d[key])
      await retryOnConflict(() =>
        ctx.run(st.enqueueWebhookDeliveries, [
          column('id'),
          column('eventId'),
          column('eventType'),
          column('batchId'),
          column('ownerId'),
          column('url'),
          column('payload'),
          column('status'),
          column('attempts'),
          column('nextAttemptAt'),
          column('createdAt'),
        ]),
      )
    },
    async claim({ now, leaseMs, limit }) {
      if (limit <= 0) return []
      const rows = await retryOnConflict(() => ctx.run(st.claimWebhookDeliveries, [now, limit, leaseMs]))
      return rows
        .map((row) => ({
          token: row.lease_token as string,
          expiresAt: Number(row.lease_expires_at),
          delivery: deliveryOf(row),
        }))
        .sort((a, b) => a.delivery.nextAttemptAt - b.delivery.nextAttemptAt)
    },
    async settle(id, token, result) {
      const params = [
        id,
        token,
        result.status,
        result.status === 'pending' ? result.nextAttemptAt : null,
        result.status === 'delivered' ? result.at : null,
        result.lastStatus,
        result.status === 'delivered' ? null : result.lastError,
      ]
      const done = await retryOnConflict(() => ctx.run(st.settleWebhookDelivery, params))
      return done.count === 1
    },
    async list(query) {
      const rows = await ctx.run(st.listWebhookDeliveries, [
        query.batchId ?? null,
        query.eventId ?? null,
        query.ownerId ?? null,
        query.limit + 1,
      ])
      return { data: rows.slice(0, query.limit).map(deliveryOf), hasMore: rows.length > query.limit }
    },
    async replay(eventId, now, ownerId) {
      const done = await retryOnConflict(() =>
        ctx.run(st.replayWebhookEvent, [eventId, now, ownerId ?? null]),
      )
      return done.count
    },
    async nextDue(now) {
      const [row] = await ctx.run(st.nextWebhookDue, [now])
      return row?.at === null || row?.at === undefined ? null : Number(row.at)
    },
  }
}
