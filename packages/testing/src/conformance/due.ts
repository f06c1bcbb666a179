import type { BatchLease, RequestOutcome, Store } from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import { batchRecord, longLease, newProvider, newScope, runningBatch } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'
import { claim, succeeded } from './request-helpers.ts'

/** Expects a time within a few seconds of `expected` (a lease's end, read back through a database clock). */
function expectNear(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull()
  expect(actual!).toBeGreaterThan(expected - 5_000)
  expect(actual!).toBeLessThanOrEqual(expected + 1_000)
}

/**
 * Conformance of `nextWake` and `nextDue`: when work a claim could return is next due, which alarm- and
 * cron-driven hosts sleep until.
 */
export function describeDueConformance(harness: HarnessRef): void {
  describe('when work is next due', () => {
    /** Claims this test's batch (claims are global), releasing any other batch untouched. */
    const claimOwn = async (store: Store, id: string, now: number): Promise<BatchLease | undefined> => {
      const leases = await store.batches.claim({ workerId: 'w', now, leaseMs: longLease, limit: 1000 })
      let own: BatchLease | undefined
      for (const lease of leases) {
        if (lease.batch.id === id) own = lease
        else await store.batches.release(lease.batch.id, lease.token, lease.batch.wakeAt)
      }
      return own
    }

    it('nextWake: the earliest wake-up of the providers asked for; a held batch at its lease end', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const provider = newProvider()
      const scope = newScope()
      expect(await store.batches.nextWake({ now, providers: [provider] })).toBeNull()
      const later = await store.batches.insert(batchRecord(scope, now, { provider, wakeAt: now + 9_000 }))
      await store.batches.insert(batchRecord(scope, now, { provider, wakeAt: null }))
      expect(await store.batches.nextWake({ now, providers: [provider] })).toBe(now + 9_000)
      const due = await store.batches.insert(batchRecord(scope, now, { provider, wakeAt: now - 500 }))
      // Already due: `now`.
      expect(await store.batches.nextWake({ now, providers: [provider] })).toBe(now)
      expect(await store.batches.nextWake({ now, providers: [newProvider()] })).toBeNull()

      const lease = await claimOwn(store, due.id, now)
      expect(lease).toBeDefined()
      // Held: the other batch (9 s) comes first, then the held one at its lease end.
      expect(await store.batches.nextWake({ now, providers: [provider] })).toBe(now + 9_000)
      await store.batches.release(later.id, (await claimOwn(store, later.id, now + 9_000))!.token, null)
      expectNear(await store.batches.nextWake({ now, providers: [provider] }), now + longLease)
      await store.batches.release(due.id, lease!.token, now + 3_000)
      expect(await store.batches.nextWake({ now, providers: [provider] })).toBe(now + 3_000)
      expect(await store.batches.nextWake({ now: now + 4_000, providers: [provider] })).toBe(now + 4_000)
    })

    it('nextDue: fresh lines now, leased lines at their lease end, retries at their notBefore', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, provider } = await runningBatch(store, now, { lines: 3 })
      expect(await store.requests.nextDue({ now, providers: [provider] })).toBe(now)
      expect(await store.requests.nextDue({ now, providers: [newProvider()] })).toBeNull()
      const lease = await claim(store, provider, now, 10)
      expectNear(await store.requests.nextDue({ now, providers: [provider] }), now + longLease)
      const retry: RequestOutcome = { batchId: batch.id, index: 1, kind: 'retry', notBefore: now + 7_000 }
      await store.requests.record(lease!.token, [retry, succeeded(batch.id, 2)], now)
      expect(await store.requests.nextDue({ now, providers: [provider] })).toBe(now + 7_000)
      await store.requests.record(lease!.token, [succeeded(batch.id, 3)], now)
      expect(await store.requests.nextDue({ now, providers: [provider] })).toBe(now + 7_000)
      expect(await store.requests.nextDue({ now: now + 8_000, providers: [provider] })).toBe(now + 8_000)
      const again = await claim(store, provider, now + 7_000, 10)
      await store.requests.record(again!.token, [succeeded(batch.id, 1)], now + 7_000)
      expect(await store.requests.nextDue({ now, providers: [provider] })).toBeNull()
    })

    it('nextDue: nothing of batches that are not running or have expired', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const provider = newProvider()
      await runningBatch(store, now, { provider, overrides: { status: 'cancelling' } })
      await runningBatch(store, now, { provider, overrides: { expiresAt: now - 1 } })
      expect(await store.requests.nextDue({ now, providers: [provider] })).toBeNull()
      expect(await store.requests.nextDue({ now, providers: [] })).toBeNull()
    })
  })
}
