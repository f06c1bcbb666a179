import {
  type BatchLease,
  type BatchRecord,
  type BatchStatus,
  newBatchId,
  type Store,
} from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import { batchRecord, longLease, newScope, shortLease, sleep } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'

/** Conformance of `store.batches`. */
export function describeBatchConformance(harness: HarnessRef): void {
  describe('batches', () => {
    /**
     * Batch claims are global, and a shared database may hold other tests' due batches: claim with a
     * generous limit and keep only this test's leases, releasing the rest untouched.
     */
    const claimOwn = async (store: Store, ids: readonly string[], now: number, leaseMs = longLease) => {
      const leases = await store.batches.claim({ workerId: 'w', now, leaseMs, limit: 1000 })
      const own: BatchLease[] = []
      for (const lease of leases) {
        if (ids.includes(lease.batch.id)) own.push(lease)
        else await store.batches.release(lease.batch.id, lease.token, lease.batch.wakeAt)
      }
      return own
    }

    it('inserts, gets and returns copies', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = batchRecord(scope, clock.now(), {
        metadata: { k: 'v' },
        providerState: { nested: { n: 1 } },
        errors: [{ code: 'c', message: 'm', param: null, line: 1 }],
      })
      const inserted = await store.batches.insert(record)
      expect(inserted).toEqual(record)
      inserted.requestCounts.total = 99
      inserted.metadata!.k = 'mutated'
      record.usage.totalTokens = 99
      const got = await store.batches.get(scope, record.id)
      expect(got).toEqual({ ...record, usage: { ...record.usage, totalTokens: 0 } })
      ;(got!.providerState!.nested as { n: number }).n = 2
      got!.errors![0]!.code = 'x'
      const again = await store.batches.get(scope, record.id)
      expect(again!.providerState).toEqual({ nested: { n: 1 } })
      expect(again!.errors![0]!.code).toBe('c')
      expect(await store.batches.get(newScope(), record.id)).toBeNull()
      expect(await store.batches.get(scope, newBatchId())).toBeNull()
    })

    it('lists newest first with an `after` cursor and an exact hasMore, per owner', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const record = batchRecord(scope, now + i)
        await store.batches.insert(record)
        ids.push(record.id)
      }
      const newest = [...ids].reverse()
      const all = await store.batches.list(scope, { limit: 10 })
      expect([all.data.map((b) => b.id), all.hasMore]).toEqual([newest, false])
      const p1 = await store.batches.list(scope, { limit: 2 })
      expect([p1.data.map((b) => b.id), p1.hasMore]).toEqual([newest.slice(0, 2), true])
      const p2 = await store.batches.list(scope, { limit: 2, after: newest[1]! })
      expect([p2.data.map((b) => b.id), p2.hasMore]).toEqual([newest.slice(2, 4), true])
      const p3 = await store.batches.list(scope, { limit: 2, after: newest[3]! })
      expect([p3.data.map((b) => b.id), p3.hasMore]).toEqual([newest.slice(4), false])
      const exact = await store.batches.list(scope, { limit: 2, after: newest[2]! })
      expect([exact.data.map((b) => b.id), exact.hasMore]).toEqual([newest.slice(3), false])
      expect((await store.batches.list(scope, { limit: 5 })).hasMore).toBe(false)
      expect(await store.batches.list(scope, { limit: 2, after: newBatchId() })).toEqual({
        data: [],
        hasMore: false,
      })
      expect(await store.batches.list(newScope(), { limit: 10 })).toEqual({ data: [], hasMore: false })
    })

    it('lists batches created in the same millisecond in insertion order', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const ids: string[] = []
      for (let i = 0; i < 4; i++) ids.push((await store.batches.insert(batchRecord(scope, now))).id)
      const page = await store.batches.list(scope, { limit: 10 })
      expect(page.data.map((b) => b.id)).toEqual([...ids].reverse())
    })

    it('de-duplicates by idempotency key per owner', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const first = batchRecord(scope, now, { idempotencyKey: 'key-1' })
      expect(await store.batches.insert(first)).toEqual(first)
      const second = batchRecord(scope, now, { idempotencyKey: 'key-1' })
      expect(await store.batches.insert(second)).toEqual(first)
      expect(await store.batches.get(scope, second.id)).toBeNull()
      const other = newScope()
      const theirs = batchRecord(other, now, { idempotencyKey: 'key-1' })
      expect(await store.batches.insert(theirs)).toEqual(theirs)
      const unkeyed = [batchRecord(scope, now), batchRecord(scope, now)]
      for (const record of unkeyed) expect(await store.batches.insert(record)).toEqual(record)
      expect((await store.batches.list(scope, { limit: 10 })).data).toHaveLength(3)
    })

    it('counts batches created at or after a time', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      for (const age of [7200_000, 3600_001, 3600_000, 10, 0]) {
        await store.batches.insert(batchRecord(scope, now - age))
      }
      await store.batches.insert(batchRecord(newScope(), now))
      expect(await store.batches.countCreatedSince(scope, now - 3600_000)).toBe(3)
      expect(await store.batches.countCreatedSince(scope, now + 1)).toBe(0)
      expect(await store.batches.countCreatedSince(newScope(), 0)).toBe(0)
    })

    it('knows whether a non-terminal batch reads a file', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = batchRecord(scope, clock.now(), { status: 'in_progress' })
      await store.batches.insert(record)
      expect(await store.batches.hasActiveInput(scope, record.inputFileId)).toBe(true)
      expect(await store.batches.hasActiveInput(newScope(), record.inputFileId)).toBe(false)
      expect(await store.batches.hasActiveInput(scope, 'file-unused')).toBe(false)
      await store.batches.transition(record.id, ['in_progress'], 'cancelling', {})
      expect(await store.batches.hasActiveInput(scope, record.inputFileId)).toBe(true)
      await store.batches.transition(record.id, ['cancelling'], 'cancelled', {})
      expect(await store.batches.hasActiveInput(scope, record.inputFileId)).toBe(false)
    })

    it('transitions only from the listed statuses, applying the patch', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now)
      await store.batches.insert(record)
      expect(
        await store.batches.transition(record.id, ['in_progress', 'finalizing'], 'completed', {}),
      ).toBeNull()
      expect((await store.batches.get(scope, record.id))!.status).toBe('validating')
      expect(await store.batches.transition(newBatchId(), ['validating'], 'in_progress', {})).toBeNull()

      const moved = await store.batches.transition(record.id, ['validating'], 'in_progress', {
        inProgressAt: now + 5,
        total: 42,
        model: 'gpt-test',
        metadata: { a: 'b' },
        wakeAt: now + 1000,
      })
      expect(moved).toEqual({
        ...record,
        status: 'in_progress',
        inProgressAt: now + 5,
        model: 'gpt-test',
        metadata: { a: 'b' },
        wakeAt: now + 1000,
        requestCounts: { total: 42, completed: 0, failed: 0 },
      })
      expect(await store.batches.get(scope, record.id)).toEqual(moved)
      expect(await store.batches.transition(record.id, ['validating'], 'failed', {})).toBeNull()
      const cleared = await store.batches.transition(record.id, ['in_progress'], 'cancelling', {
        wakeAt: null,
        metadata: null,
      })
      expect([cleared!.status, cleared!.wakeAt, cleared!.metadata, cleared!.model]).toEqual([
        'cancelling',
        null,
        null,
        'gpt-test',
      ])
    })

    it('lets exactly one of 20 concurrent transitions win', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = batchRecord(scope, clock.now())
      await store.batches.insert(record)
      const targets: BatchStatus[] = ['in_progress', 'failed', 'cancelling', 'expired']
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.batches.transition(record.id, ['validating'], targets[i % targets.length]!, {
            model: `racer-${i}`,
          }),
        ),
      )
      const winners = results.filter((r): r is BatchRecord => r !== null)
      expect(winners).toHaveLength(1)
      const final = await store.batches.get(scope, record.id)
      expect([final!.status, final!.model]).toEqual([winners[0]!.status, winners[0]!.model])
    })

    it('claims only due batches, oldest wake first, and not while leased', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const late = batchRecord(scope, now, { wakeAt: now - 100 })
      const early = batchRecord(scope, now, { wakeAt: now - 200 })
      const exact = batchRecord(scope, now, { wakeAt: now })
      const future = batchRecord(scope, now, { wakeAt: now + 60_000 })
      const never = batchRecord(scope, now, { wakeAt: null })
      const all = [late, early, exact, future, never]
      for (const record of all) await store.batches.insert(record)
      const ids = all.map((b) => b.id)

      const leases = await claimOwn(store, ids, now)
      expect(leases.map((l) => l.batch.id)).toEqual([early.id, late.id, exact.id])
      expect(new Set(leases.map((l) => l.token)).size).toBe(3)
      expect(leases[0]!.batch).toEqual(early)
      expect(await claimOwn(store, ids, now)).toEqual([])

      const limited = await store.batches.claim({
        workerId: 'w',
        now: now - 150,
        leaseMs: longLease,
        limit: 0,
      })
      expect(limited).toEqual([])
      for (const lease of leases) await store.batches.release(lease.batch.id, lease.token, null)
      expect(await claimOwn(store, ids, now)).toEqual([])
      expect((await claimOwn(store, ids, now + 60_000)).map((l) => l.batch.id)).toEqual([future.id])
    })

    it('respects the claim limit', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const records = [1, 2, 3].map((i) => batchRecord(scope, now, { wakeAt: now - 1000 + i }))
      for (const record of records) await store.batches.insert(record)
      const leases = await store.batches.claim({ workerId: 'w', now, leaseMs: longLease, limit: 2 })
      expect(leases.length).toBeLessThanOrEqual(2)
      for (const lease of leases) await store.batches.release(lease.batch.id, lease.token, lease.batch.wakeAt)
      expect(leases.length).toBe(2)
    })

    it('makes a batch claimable again after its lease expires, with a new token', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now, { wakeAt: now - 1 })
      await store.batches.insert(record)
      const [first] = await claimOwn(store, [record.id], now, shortLease.leaseMs)
      expect(first).toBeDefined()
      expect(await claimOwn(store, [record.id], now)).toEqual([])
      await sleep(shortLease.waitMs)
      const [second] = await claimOwn(store, [record.id], clock.now())
      expect(second).toBeDefined()
      expect(second!.token).not.toBe(first!.token)
      // The first holder lost the batch: its release, transition and update do nothing.
      await store.batches.release(record.id, first!.token, now - 10)
      expect((await store.batches.get(scope, record.id))!.wakeAt).toBe(now - 1)
      expect(await store.batches.transition(record.id, ['validating'], 'failed', {}, first!.token)).toBeNull()
      expect(await store.batches.update(record.id, { model: 'stale' }, first!.token)).toBe(false)
      expect(await claimOwn(store, [record.id], clock.now())).toEqual([])
      await store.batches.release(record.id, second!.token, null)
    })

    it('extends a held batch lease with heartbeat, and refuses a lost or foreign one', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now, { wakeAt: now - 1 })
      await store.batches.insert(record)
      const [lease] = await claimOwn(store, [record.id], now, shortLease.leaseMs)
      expect(lease).toBeDefined()
      expect(await store.batches.heartbeat(record.id, 'not-the-token', longLease)).toBe(false)
      expect(await store.batches.heartbeat(record.id, lease!.token, longLease)).toBe(true)
      await sleep(shortLease.waitMs)
      // Still held: the heartbeat outlived the original short lease.
      expect(await claimOwn(store, [record.id], clock.now())).toEqual([])
      expect(await store.batches.update(record.id, { model: 'm' }, lease!.token)).toBe(true)
      await store.batches.release(record.id, lease!.token, null)
      expect(await store.batches.heartbeat(record.id, lease!.token, longLease)).toBe(false)

      const other = batchRecord(scope, now, { wakeAt: now - 1 })
      await store.batches.insert(other)
      const [short] = await claimOwn(store, [other.id], now, shortLease.leaseMs)
      await sleep(shortLease.waitMs)
      // A lapsed lease cannot be revived once another worker may have taken over.
      expect(await store.batches.heartbeat(other.id, short!.token, longLease)).toBe(false)
      const [taken] = await claimOwn(store, [other.id], clock.now())
      expect(taken).toBeDefined()
      await store.batches.release(other.id, taken!.token, null)
    })

    it('ignores a release with the wrong token and honours the holder`s wake-up time', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now, { wakeAt: now - 1 })
      await store.batches.insert(record)
      const [lease] = await claimOwn(store, [record.id], now)
      await store.batches.release(record.id, 'not-the-token', now - 10)
      expect(await claimOwn(store, [record.id], now)).toEqual([])
      expect((await store.batches.get(scope, record.id))!.wakeAt).toBe(now - 1)
      await store.batches.release(record.id, lease!.token, now + 5000)
      expect((await store.batches.get(scope, record.id))!.wakeAt).toBe(now + 5000)
      expect(await claimOwn(store, [record.id], now + 4999)).toEqual([])
      const [again] = await claimOwn(store, [record.id], now + 5000)
      expect(again).toBeDefined()
      await store.batches.release(record.id, again!.token, null)
      expect((await store.batches.get(scope, record.id))!.wakeAt).toBeNull()
      expect(await claimOwn(store, [record.id], now + 1e9)).toEqual([])
    })

    it('keeps a wake-up an unfenced transition set while the batch was leased (a cancel racing a step)', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now, { wakeAt: now - 1 })
      await store.batches.insert(record)
      const [lease] = await claimOwn(store, [record.id], now)
      // The holder starts the batch and means to sleep until its deadline…
      const started = await store.batches.transition(
        record.id,
        ['validating'],
        'in_progress',
        { inProgressAt: now, wakeAt: record.expiresAt },
        lease!.token,
      )
      expect(started?.status).toBe('in_progress')
      // …while a client cancels it, due at once…
      const cancelled = await store.batches.transition(record.id, ['in_progress'], 'cancelling', {
        cancellingAt: now,
        wakeAt: now,
      })
      expect(cancelled?.status).toBe('cancelling')
      // …and the holder's release must not postpone the cancel to the deadline.
      await store.batches.release(record.id, lease!.token, record.expiresAt)
      expect((await store.batches.get(scope, record.id))!.wakeAt).toBe(now)
      const [again] = await claimOwn(store, [record.id], now)
      expect(again?.batch.status).toBe('cancelling')
      await store.batches.release(record.id, again!.token, null)
    })

    it('fences transition and update by the live lease token', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now, { wakeAt: now })
      await store.batches.insert(record)
      const [lease] = await claimOwn(store, [record.id], now)
      const token = lease!.token
      expect(await store.batches.update(record.id, { model: 'x' }, 'stale-token')).toBe(false)
      expect(
        await store.batches.transition(record.id, ['validating'], 'failed', {}, 'stale-token'),
      ).toBeNull()
      expect((await store.batches.get(scope, record.id))!.status).toBe('validating')
      expect(await store.batches.update(record.id, { model: 'fenced', total: 7 }, token)).toBe(true)
      const moved = await store.batches.transition(
        record.id,
        ['validating'],
        'in_progress',
        { inProgressAt: now },
        token,
      )
      expect(moved).toMatchObject({
        status: 'in_progress',
        model: 'fenced',
        inProgressAt: now,
        requestCounts: { total: 7, completed: 0, failed: 0 },
      })
      // Still held after a transition: the holder can go on.
      expect(await store.batches.update(record.id, { model: 'again' }, token)).toBe(true)
      await store.batches.release(record.id, token, null)
      expect(await store.batches.update(record.id, { model: 'released' }, token)).toBe(false)
      expect((await store.batches.get(scope, record.id))!.model).toBe('again')
    })

    it('rejects a fence whose lease has expired', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const record = batchRecord(scope, now, { wakeAt: now })
      await store.batches.insert(record)
      const [lease] = await claimOwn(store, [record.id], now, shortLease.leaseMs)
      await sleep(shortLease.waitMs)
      expect(await store.batches.update(record.id, { model: 'late' }, lease!.token)).toBe(false)
      expect(await store.batches.transition(record.id, ['validating'], 'failed', {}, lease!.token)).toBeNull()
      await store.batches.release(record.id, lease!.token, null)
    })
  })
}
