import { describe, expect, it } from 'vitest'
import { batchRecord, newProvider, newScope, runningBatch } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'
import { claim, failed, succeeded } from './request-helpers.ts'

/**
 * Conformance of `batches.backlog` (optional: a store without it is reported as skipped): the running
 * batches per provider and their lines without an outcome, kept up by `record` and status changes.
 */
export function describeBacklogConformance(harness: HarnessRef): void {
  describe('backlog (queue depth)', () => {
    it('counts running batches per provider and their lines without an outcome', async (test) => {
      const { store, clock } = harness()
      if (store.batches.backlog === undefined) return test.skip('this store has no batches.backlog')
      const now = clock.now()
      const provider = newProvider()
      const other = newProvider()
      const ofOurs = async () =>
        (await store.batches.backlog!()).filter(
          (entry) => entry.provider === provider || entry.provider === other,
        )

      expect(await ofOurs()).toEqual([])
      const { batch } = await runningBatch(store, now, { provider, lines: 5 })
      await runningBatch(store, now, { provider, lines: 2 })
      await runningBatch(store, now, { provider: other, lines: 1 })
      // Not running: never counted.
      const scope = newScope()
      for (const status of ['validating', 'finalizing', 'cancelling', 'completed'] as const) {
        await store.batches.insert(
          batchRecord(scope, now, { provider, status, requestCounts: { total: 9, completed: 0, failed: 0 } }),
        )
      }
      const expected = (lines: number) =>
        [
          { provider, batches: 2, lines },
          { provider: other, batches: 1, lines: 1 },
        ].sort((a, b) => a.provider.localeCompare(b.provider))
      expect(await ofOurs()).toEqual(expected(7))

      // Leased lines still count; recorded outcomes (success or failure) do not; a retry still does.
      const lease = await claim(store, provider, now, 3)
      expect(lease?.requests).toHaveLength(3)
      expect(await ofOurs()).toEqual(expected(7))
      const [a, b, c] = lease!.requests
      await store.requests.record(
        lease!.token,
        [
          succeeded(a!.batchId, a!.index),
          failed(b!.batchId, b!.index),
          { batchId: c!.batchId, index: c!.index, kind: 'retry', notBefore: now + 1_000 },
        ],
        now,
      )
      expect(await ofOurs()).toEqual(expected(5))

      // A batch that leaves `in_progress` leaves the backlog.
      const fresh = await store.batches.get({ ownerId: batch.ownerId }, batch.id)
      await store.batches.transition(batch.id, ['in_progress'], 'cancelling', { cancellingAt: now })
      const remaining =
        fresh!.requestCounts.total - fresh!.requestCounts.completed - fresh!.requestCounts.failed
      const left = await ofOurs()
      const ours = left.find((entry) => entry.provider === provider)
      expect(ours?.batches).toBe(1)
      expect(ours?.lines).toBe(5 - remaining)
    })
  })
}
