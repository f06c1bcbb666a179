import type { Store, WebhookDeliveryLease, WebhookDeliveryRecord, WebhookOutbox } from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import { newScope } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'

/** A pending delivery of a fresh event and batch of `ownerId`, due at `now`. */
export function deliveryRecord(
  ownerId: string,
  now: number,
  overrides: Partial<WebhookDeliveryRecord> = {},
): WebhookDeliveryRecord {
  const unique = Math.random().toString(16).slice(2, 14)
  const eventId = overrides.eventId ?? `evt_${unique}`
  const batchId = overrides.batchId ?? `batch_${unique}`
  return {
    id: `whd_${unique}${Math.random().toString(16).slice(2, 8)}`,
    eventId,
    eventType: 'batch.completed',
    batchId,
    ownerId,
    url: 'http://127.0.0.1:9/hook',
    payload: JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'batch.completed',
      created_at: 1,
      data: { id: batchId },
    }),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    deliveredAt: null,
    lastStatus: null,
    lastError: null,
    ...overrides,
  }
}

/** The outbox of a store that has one; the test is skipped for a store without. */
function outboxOf(store: Store, skip: () => void): WebhookOutbox {
  if (store.webhooks === undefined) skip()
  return store.webhooks as WebhookOutbox
}

/**
 * Claims due deliveries (claims are global: other tests' deliveries may be due too) and returns the
 * lease of `id`, if it was claimed.
 */
async function claimOwn(
  outbox: WebhookOutbox,
  id: string,
  now: number,
  leaseMs = 60_000,
): Promise<WebhookDeliveryLease | undefined> {
  const leases = await outbox.claim({ workerId: 'w', now, leaseMs, limit: 1000 })
  return leases.find((lease) => lease.delivery.id === id)
}

/**
 * Conformance of the webhook outbox (`store.webhooks`): idempotent enqueue, leased claims that count
 * attempts, fenced settling, listing by batch and event, replay, and when a delivery is next due. Outbox
 * leases are timed in domain time, so lapses are tested with `clock.advance`.
 */
export function describeWebhookOutboxConformance(harness: HarnessRef): void {
  describe('webhook outbox', () => {
    it('enqueue is idempotent per delivery id and keeps the first row', async ({ skip }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const delivery = deliveryRecord(ownerId, now)
      await outbox.enqueue([delivery])
      await outbox.enqueue([{ ...delivery, payload: '{"changed":true}', url: 'http://127.0.0.1:9/other' }])
      const page = await outbox.list({ batchId: delivery.batchId, limit: 10 })
      expect(page).toEqual({ data: [delivery], hasMore: false })
      expect((await outbox.list({ eventId: delivery.eventId, limit: 10 })).data).toEqual([delivery])
      expect(
        (await outbox.list({ eventId: delivery.eventId, ownerId: 'someone-else', limit: 10 })).data,
      ).toEqual([])
    })

    it('lists a batch’s deliveries oldest first, with hasMore past the limit', async ({ skip }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const first = deliveryRecord(ownerId, now)
      const second = deliveryRecord(ownerId, now, {
        batchId: first.batchId,
        eventId: first.eventId,
        url: 'http://127.0.0.1:9/b',
      })
      await outbox.enqueue([first])
      await outbox.enqueue([second])
      expect((await outbox.list({ batchId: first.batchId, limit: 10 })).data.map((d) => d.id)).toEqual([
        first.id,
        second.id,
      ])
      expect(await outbox.list({ batchId: first.batchId, limit: 1 })).toEqual({
        data: [first],
        hasMore: true,
      })
    })

    it('claims only due deliveries, counts an attempt, and never hands a live lease out twice', async ({
      skip,
    }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const later = deliveryRecord(ownerId, now, { nextAttemptAt: now + 60_000 })
      const due = deliveryRecord(ownerId, now - 1_000)
      await outbox.enqueue([later, due])
      const leases = await outbox.claim({ workerId: 'w', now, leaseMs: 60_000, limit: 1000 })
      const ids = leases.map((lease) => lease.delivery.id)
      expect(ids).toContain(due.id)
      expect(ids).not.toContain(later.id)
      const lease = leases.find((l) => l.delivery.id === due.id)!
      expect(lease.delivery.attempts).toBe(1)
      expect(lease.expiresAt).toBe(now + 60_000)
      expect(await claimOwn(outbox, due.id, now + 1_000)).toBeUndefined()
    })

    it('a lapsed lease is claimed again with a fresh token; the old token can no longer settle', async ({
      skip,
    }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const delivery = deliveryRecord(ownerId, now)
      await outbox.enqueue([delivery])
      const first = (await claimOwn(outbox, delivery.id, now, 1_000))!
      const second = (await claimOwn(outbox, delivery.id, now + 1_001, 1_000))!
      expect(second.token).not.toBe(first.token)
      expect(second.delivery.attempts).toBe(2)
      expect(
        await outbox.settle(delivery.id, first.token, { status: 'delivered', at: now, lastStatus: 200 }),
      ).toBe(false)
      expect(
        await outbox.settle(delivery.id, second.token, {
          status: 'delivered',
          at: now + 2_000,
          lastStatus: 204,
        }),
      ).toBe(true)
      const [row] = (await outbox.list({ eventId: delivery.eventId, limit: 1 })).data
      expect(row).toMatchObject({
        status: 'delivered',
        attempts: 2,
        deliveredAt: now + 2_000,
        lastStatus: 204,
        lastError: null,
      })
      // Settled: a second settle with the same token and a later claim find nothing.
      expect(
        await outbox.settle(delivery.id, second.token, {
          status: 'failed',
          lastStatus: null,
          lastError: 'x',
        }),
      ).toBe(false)
      expect(await claimOwn(outbox, delivery.id, now + 99_000)).toBeUndefined()
    })

    it('a retry is due at its next attempt time; failed is final', async ({ skip }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const delivery = deliveryRecord(ownerId, now)
      await outbox.enqueue([delivery])
      const lease = (await claimOwn(outbox, delivery.id, now))!
      const retry = {
        status: 'pending',
        nextAttemptAt: now + 5_000,
        lastStatus: 503,
        lastError: 'HTTP 503',
      } as const
      expect(await outbox.settle(delivery.id, lease.token, retry)).toBe(true)
      expect(await claimOwn(outbox, delivery.id, now + 4_999)).toBeUndefined()
      expect(await outbox.nextDue(now)).toBeLessThanOrEqual(now + 5_000)
      const again = (await claimOwn(outbox, delivery.id, now + 5_000))!
      expect(again.delivery).toMatchObject({
        attempts: 2,
        lastStatus: 503,
        lastError: 'HTTP 503',
        status: 'pending',
      })
      expect(
        await outbox.settle(delivery.id, again.token, {
          status: 'failed',
          lastStatus: null,
          lastError: 'timeout',
        }),
      ).toBe(true)
      expect(await claimOwn(outbox, delivery.id, now + 999_999)).toBeUndefined()
      const [row] = (await outbox.list({ eventId: delivery.eventId, limit: 1 })).data
      expect(row).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastStatus: null,
        lastError: 'timeout',
        deliveredAt: null,
      })
    })

    it('nextDue: a pending delivery’s next attempt, or the end of its live lease', async ({ skip }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const delivery = deliveryRecord(ownerId, now)
      await outbox.enqueue([delivery])
      expect(await outbox.nextDue(now)).toBeLessThanOrEqual(now)
      await claimOwn(outbox, delivery.id, now, 30_000)
      // Others' deliveries may be due earlier in a shared store; this one is due no later than its lease end.
      expect(await outbox.nextDue(now)).toBeLessThanOrEqual(now + 30_000)
    })

    it('replay makes every delivery of an event pending and due now, within an owner when given', async ({
      skip,
    }) => {
      const { store, clock } = harness()
      const outbox = outboxOf(store, skip)
      const now = clock.now()
      const { ownerId } = newScope()
      const delivery = deliveryRecord(ownerId, now)
      await outbox.enqueue([delivery])
      const lease = (await claimOwn(outbox, delivery.id, now))!
      await outbox.settle(delivery.id, lease.token, { status: 'delivered', at: now, lastStatus: 200 })
      expect(await outbox.replay(delivery.eventId, now + 10, 'someone-else')).toBe(0)
      expect(await outbox.replay('evt_unknown', now + 10)).toBe(0)
      expect(await outbox.replay(delivery.eventId, now + 10, ownerId)).toBe(1)
      const [row] = (await outbox.list({ eventId: delivery.eventId, limit: 1 })).data
      expect(row).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now + 10,
        deliveredAt: null,
      })
      const again = (await claimOwn(outbox, delivery.id, now + 10))!
      expect(again.delivery.payload).toBe(delivery.payload)
      // The replay dropped the old lease: its token no longer settles.
      expect(
        await outbox.settle(delivery.id, lease.token, { status: 'delivered', at: now, lastStatus: 200 }),
      ).toBe(false)
    })
  })
}
