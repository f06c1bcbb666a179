import type { RequestOutcome, Store, UsageRecord } from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import { batchRecord, newProvider, newScope, runningBatch, shortLease, sleep } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'
import { claim, failed, succeeded, usage } from './request-helpers.ts'

const day1 = Date.UTC(2026, 11, 5, 23, 59, 59, 999)
const day2 = Date.UTC(2026, 11, 6, 0, 0, 0, 0)

/** A succeeded outcome answered by `model`. */
const answeredBy = (batchId: string, index: number, n: number, model?: string): RequestOutcome => ({
  ...succeeded(batchId, index, usage(n)),
  ...(model === undefined ? {} : { model }),
})

/** A rollup record with `n`'s usage (see `usage`) times `requests`. */
const rolled = (
  fields: Pick<UsageRecord, 'ownerId' | 'day' | 'provider' | 'model' | 'mode'>,
  requests: number,
  n: number,
): UsageRecord => ({ ...fields, requests, ...usage(n) })

/** The rollup rows of `provider` (a shared database holds other tests' rows). */
async function rowsOf(
  store: Store,
  provider: string,
  query: { ownerId?: string; fromDay?: string; toDay?: string } = {},
): Promise<UsageRecord[]> {
  const rows = await store.usage!.query({ fromDay: '2026-12-01', toDay: '2026-12-31', ...query })
  return rows.filter((row) => row.provider === provider)
}

/**
 * Conformance of `store.usage` (optional: a store without it is reported as skipped): `record` adds
 * succeeded lines to the rollup in the same step, exactly once (double records and stale leases add
 * nothing); `addImported` adds a native batch once.
 */
export function describeUsageConformance(harness: HarnessRef): void {
  describe('usage rollup', () => {
    it('adds succeeded lines per owner, day, provider, model and mode as they are recorded', async (test) => {
      const { store } = harness()
      if (store.usage === undefined) return test.skip('this store has no usage rollup')
      const { batch, provider, scope } = await runningBatch(store, day1, {
        lines: 6,
        overrides: { model: 'gpt-4o-mini' },
      })
      const lease = await claim(store, provider, day1, 10)
      expect(lease?.requests).toHaveLength(6)
      const retry: RequestOutcome = { batchId: batch.id, index: 6, kind: 'retry', notBefore: day1 }
      const first = await store.requests.record(
        lease!.token,
        [
          answeredBy(batch.id, 1, 1),
          answeredBy(batch.id, 2, 2, 'gpt-4o-mini-2024-07-18'),
          failed(batch.id, 3),
          retry,
        ],
        day1,
      )
      expect(first).toEqual({ accepted: 4 })
      // The next UTC day: a row of its own. A line without usage still counts as a request.
      await store.requests.record(lease!.token, [answeredBy(batch.id, 4, 4), succeeded(batch.id, 5)], day2)
      const keys = { ownerId: scope.ownerId, provider, mode: 'emulated' } as const
      expect(await rowsOf(store, provider)).toEqual([
        rolled({ ...keys, day: '2026-12-05', model: 'gpt-4o-mini' }, 1, 1),
        rolled({ ...keys, day: '2026-12-05', model: 'gpt-4o-mini-2024-07-18' }, 1, 2),
        rolled({ ...keys, day: '2026-12-06', model: 'gpt-4o-mini' }, 2, 4),
      ])
      // Days are inclusive bounds; the owner filter keeps to the owner.
      expect(await rowsOf(store, provider, { fromDay: '2026-12-06', toDay: '2026-12-06' })).toEqual([
        rolled({ ...keys, day: '2026-12-06', model: 'gpt-4o-mini' }, 2, 4),
      ])
      expect(await rowsOf(store, provider, { toDay: '2026-12-05' })).toHaveLength(2)
      expect(await rowsOf(store, provider, { ownerId: newScope().ownerId })).toEqual([])
      expect(await rowsOf(store, provider, { ownerId: scope.ownerId })).toHaveLength(3)
    })

    it('uses an empty model when neither the line nor the batch names one', async (test) => {
      const { store } = harness()
      if (store.usage === undefined) return test.skip('this store has no usage rollup')
      const { batch, provider, scope } = await runningBatch(store, day1, { lines: 1 })
      const lease = await claim(store, provider, day1, 1)
      await store.requests.record(lease!.token, [answeredBy(batch.id, 1, 3)], day1)
      expect(await rowsOf(store, provider)).toEqual([
        rolled({ ownerId: scope.ownerId, provider, mode: 'emulated', day: '2026-12-05', model: '' }, 1, 3),
      ])
    })

    it('counts a line once: recorded twice, or again by a stale lease after another worker re-claimed it', async (test) => {
      const { store, clock } = harness()
      if (store.usage === undefined) return test.skip('this store has no usage rollup')
      const { batch, provider, scope } = await runningBatch(store, day1, {
        lines: 2,
        overrides: { model: 'm' },
      })
      const stale = await claim(store, provider, clock.now(), 10, shortLease.leaseMs, 'w1')
      // Line 1: the same outcome twice in one call, then again in a second call.
      await store.requests.record(
        stale!.token,
        [answeredBy(batch.id, 1, 1), answeredBy(batch.id, 1, 1)],
        day1,
      )
      await store.requests.record(stale!.token, [answeredBy(batch.id, 1, 1)], day1)
      // Line 2: the lease lapses, another worker re-claims and records it; the stale holder then tries.
      await sleep(shortLease.waitMs)
      const fresh = await claim(store, provider, clock.now(), 10, undefined, 'w2')
      expect(fresh!.requests.map((r) => r.index)).toEqual([2])
      await store.requests.record(fresh!.token, [answeredBy(batch.id, 2, 2)], day1)
      expect(await store.requests.record(stale!.token, [answeredBy(batch.id, 2, 2)], day1)).toEqual({
        accepted: 0,
      })
      expect(await rowsOf(store, provider)).toEqual([
        rolled({ ownerId: scope.ownerId, provider, mode: 'emulated', day: '2026-12-05', model: 'm' }, 2, 3),
      ])
    })

    it('adds a native batch’s imported usage once, under the batch’s owner, provider and mode', async (test) => {
      const { store } = harness()
      if (store.usage === undefined) return test.skip('this store has no usage rollup')
      const scope = newScope()
      const provider = newProvider()
      const batch = await store.batches.insert(
        batchRecord(scope, day1, { provider, mode: 'native', status: 'finalizing', model: 'gpt-4o' }),
      )
      const imported = [
        { model: 'gpt-4o', requests: 2, ...usage(5) },
        { model: 'gpt-4o-2024-08-06', requests: 1, ...usage(1) },
      ]
      expect(await store.usage.addImported(batch.id, imported, day2)).toBe(true)
      // An import run again (after a crash) adds nothing, even with other figures.
      expect(await store.usage.addImported(batch.id, imported, day2)).toBe(false)
      expect(await store.usage.addImported(batch.id, [{ model: 'x', requests: 9, ...usage(9) }], day1)).toBe(
        false,
      )
      expect(await store.usage.addImported('batch_no_such_batch', imported, day2)).toBe(false)
      // A second batch of the same owner and model adds to the same row.
      const other = await store.batches.insert(
        batchRecord(scope, day1, { provider, mode: 'native', status: 'finalizing' }),
      )
      expect(
        await store.usage.addImported(other.id, [{ model: 'gpt-4o', requests: 1, ...usage(1) }], day2),
      ).toBe(true)
      const keys = { ownerId: scope.ownerId, provider, mode: 'native', day: '2026-12-06' } as const
      expect(await rowsOf(store, provider)).toEqual([
        rolled({ ...keys, model: 'gpt-4o' }, 3, 6),
        rolled({ ...keys, model: 'gpt-4o-2024-08-06' }, 1, 1),
      ])
    })
  })
}
