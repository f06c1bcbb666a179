import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { offsetClock } from '@batchkit/core'
import type { BatchRecord, RequestItem } from '@batchkit/core/store'
import { describeStoreConformance, batchRecord as sharedBatchRecord } from '@batchkit/testing'
import { describe, expect, it } from 'vitest'
import { fsBlobs } from './fs-blobs.ts'
import { memoryBlobs } from './memory-blobs.ts'
import { memoryStore } from './memory-store.ts'

describeStoreConformance('memory (memoryBlobs)', () => {
  const clock = offsetClock()
  return { store: memoryStore({ clock, blobs: memoryBlobs() }), clock }
})

describeStoreConformance('memory (fsBlobs)', async () => {
  const clock = offsetClock()
  const dir = await mkdtemp(join(tmpdir(), 'batchkit-blobs-'))
  return {
    store: memoryStore({ clock, blobs: fsBlobs(join(dir, 'files')) }),
    clock,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
})

describe('memoryStore specifics', () => {
  const setup = async (lines: number, overrides: Partial<BatchRecord> = {}) => {
    const clock = offsetClock()
    const store = memoryStore({ clock })
    const now = clock.now()
    const batch = await store.batches.insert(
      batchRecord(now, { requestCounts: { total: lines, completed: 0, failed: 0 }, ...overrides }),
    )
    const items = Array.from({ length: lines }, (_, i) => item(i + 1))
    await store.requests.insert(batch.id, items)
    return { clock, store, batch, now }
  }

  it('expires request leases on its clock', async () => {
    const { clock, store, now } = await setup(2)
    const first = await store.requests.claim({ workerId: 'a', now, leaseMs: 1000, limit: 10 })
    expect(await store.requests.claim({ workerId: 'b', now, leaseMs: 1000, limit: 10 })).toBeNull()
    clock.advance(1001)
    const second = await store.requests.claim({ workerId: 'b', now: clock.now(), leaseMs: 1000, limit: 10 })
    expect(second!.requests.map((r) => r.attempts)).toEqual([2, 2])
    expect(second!.expiresAt).toBeGreaterThan(first!.expiresAt)
  })

  it('lets the holder of a lapsed lease record or renew lines nobody re-claimed', async () => {
    const { clock, store, batch, now } = await setup(3)
    const lease = await store.requests.claim({ workerId: 'a', now, leaseMs: 1000, limit: 2 })
    clock.advance(2000)
    expect(await store.requests.inFlight(batch.id)).toBe(0)
    const ok = { batchId: batch.id, kind: 'succeeded', line: '{}' } as const
    expect(await store.requests.record(lease!.token, [{ ...ok, index: 1 }], clock.now())).toEqual({
      accepted: 1,
    })
    expect(await store.requests.heartbeat(lease!.token, 1000)).toBe(1)
    expect(await store.requests.inFlight(batch.id)).toBe(1)
    // Line 2 is held again; only line 3 is claimable.
    const next = await store.requests.claim({ workerId: 'b', now: clock.now(), leaseMs: 1000, limit: 10 })
    expect(next!.requests.map((r) => r.index)).toEqual([3])
  })

  it('does not lose a wake-up recorded while a batch lease is held', async () => {
    const { store, batch, now } = await setup(1, { wakeAt: now0() })
    const [batchLease] = await store.batches.claim({ workerId: 'a', now, leaseMs: 60_000, limit: 10 })
    expect(batchLease!.batch.id).toBe(batch.id)
    const work = await store.requests.claim({ workerId: 'b', now, leaseMs: 60_000, limit: 10 })
    await store.requests.record(
      work!.token,
      [{ batchId: batch.id, index: 1, kind: 'succeeded', line: '{}' }],
      now + 5,
    )
    // The holder decided "nothing to do" before the line finished; its release must keep the wake-up.
    await store.batches.release(batch.id, batchLease!.token, null)
    const after = await store.batches.get({ ownerId: batch.ownerId }, batch.id)
    expect(after!.wakeAt).toBe(now + 5)
    const [again] = await store.batches.claim({ workerId: 'a', now: now + 5, leaseMs: 60_000, limit: 10 })
    expect(again!.batch.id).toBe(batch.id)
    await store.batches.release(batch.id, again!.token, null)
    expect((await store.batches.get({ ownerId: batch.ownerId }, batch.id))!.wakeAt).toBeNull()
  })

  it('claims a 50,000-line batch in 256-line slices without rescanning its lines', async () => {
    const { clock, store, batch, now } = await setup(50_000)
    // A second large batch whose lines all sit under live leases must not slow claims down.
    const busy = await store.batches.insert(
      batchRecord(now, { provider: 'busy', requestCounts: { total: 50_000, completed: 0, failed: 0 } }),
    )
    await store.requests.insert(
      busy.id,
      Array.from({ length: 50_000 }, (_, i) => item(i + 1)),
    )
    const held = await store.requests.claim({
      workerId: 'x',
      now,
      leaseMs: 3600_000,
      limit: 50_000,
      providers: ['busy'],
    })
    expect(held!.requests).toHaveLength(50_000)

    const started = performance.now()
    let claims = 0
    let done = 0
    let retried = 0
    for (;;) {
      const lease = await store.requests.claim({
        workerId: 'w',
        now: clock.now(),
        leaseMs: 60_000,
        limit: 256,
      })
      if (lease === null) break
      claims++
      const outcomes = lease.requests.map((r) =>
        r.index % 10 === 0 && r.attempts === 1
          ? ({ batchId: r.batchId, index: r.index, kind: 'retry', notBefore: clock.now() } as const)
          : ({ batchId: r.batchId, index: r.index, kind: 'succeeded', line: '{}' } as const),
      )
      retried += outcomes.filter((o) => o.kind === 'retry').length
      done += (await store.requests.record(lease.token, outcomes, clock.now())).accepted
    }
    const elapsed = performance.now() - started
    expect(done).toBe(50_000 + retried)
    expect(claims).toBeGreaterThan(200)
    const final = await store.batches.get({ ownerId: batch.ownerId }, batch.id)
    expect(final!.requestCounts).toEqual({ total: 50_000, completed: 50_000, failed: 0 })
    expect(final!.wakeAt).not.toBeNull()
    // O(lines) per claim would be ~200 claims × 100,000 rows; O(claimed) finishes far below this bound.
    expect(elapsed).toBeLessThan(3000)
  })
})

const now0 = (): number => Date.now() - 1
const item = (index: number): RequestItem => ({
  index,
  id: `batch_req_${index}`,
  customId: `c${index}`,
  offset: 0,
  length: 1,
})

/** An `in_progress` batch of owner `owner` on provider `p`. */
function batchRecord(now: number, overrides: Partial<BatchRecord> = {}): BatchRecord {
  return sharedBatchRecord({ ownerId: 'owner' }, now, {
    status: 'in_progress',
    inputFileId: 'file-x',
    inProgressAt: now,
    provider: 'p',
    ...overrides,
  })
}
