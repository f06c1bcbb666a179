import type { RequestLease } from '@batchkit/core/store'
import { expect, it } from 'vitest'
import { longLease, runningBatch, shortLease, sleep } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'
import { claim, failed, lineIds, succeeded, usage } from './request-helpers.ts'

/** Conformance of `store.requests`: recording outcomes, fenced by lease, into the batch counters and wake-ups. */
export function describeRequestRecordingConformance(harness: HarnessRef): void {
  it('fences outcomes: after a lease expires and another worker claims, the old token records nothing', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, { lines: 2 })
    const first = await claim(store, provider, now, 10, shortLease.leaseMs, 'w1')
    expect(await claim(store, provider, now, 10)).toBeNull()
    await sleep(shortLease.waitMs)
    const second = await claim(store, provider, clock.now(), 1, longLease, 'w2')
    expect(second!.token).not.toBe(first!.token)
    expect(second!.requests.map((r) => [r.index, r.attempts])).toEqual([[1, 2]])
    // Line 1 now belongs to the second lease, even though the first one may still hold line 2.
    expect(await store.requests.record(first!.token, [succeeded(batch.id, 1)], clock.now())).toEqual({
      accepted: 0,
    })
    const third = await claim(store, provider, clock.now(), 10, longLease, 'w3')
    expect(third!.requests.map((r) => [r.index, r.attempts])).toEqual([[2, 2]])
    expect(await store.requests.record(first!.token, [failed(batch.id, 2)], clock.now())).toEqual({
      accepted: 0,
    })
    expect(await store.requests.heartbeat(first!.token, longLease)).toBe(0)
    expect(await store.requests.record(second!.token, [succeeded(batch.id, 1)], clock.now())).toEqual({
      accepted: 1,
    })
    expect(await store.requests.record(third!.token, [failed(batch.id, 2)], clock.now())).toEqual({
      accepted: 1,
    })
    expect((await store.batches.get(scope, batch.id))!.requestCounts).toEqual({
      total: 2,
      completed: 1,
      failed: 1,
    })
    expect(await store.requests.readOutcomes(batch.id, 'succeeded', 0, 10)).toEqual([
      { index: 1, line: '{"ok":1}' },
    ])
  })

  it('records each line once, and ignores unknown tokens and lines outside the lease', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, { lines: 3 })
    const lease = await claim(store, provider, now, 2)
    expect(await store.requests.record('no-such-token', [succeeded(batch.id, 1)], now)).toEqual({
      accepted: 0,
    })
    const outcomes = [
      succeeded(batch.id, 1, usage(1)),
      succeeded(batch.id, 1, usage(1)),
      succeeded(batch.id, 3),
    ]
    expect(await store.requests.record(lease!.token, outcomes, now)).toEqual({ accepted: 1 })
    expect(await store.requests.record(lease!.token, [failed(batch.id, 1)], now)).toEqual({ accepted: 0 })
    const got = await store.batches.get(scope, batch.id)
    expect(got!.requestCounts).toEqual({ total: 3, completed: 1, failed: 0 })
    expect(got!.usage).toEqual(usage(1))
    expect(await store.requests.readOutcomes(batch.id, 'failed', 0, 10)).toEqual([])
  })

  it('adds outcomes to counters and usage, and wakes the batch when the last line finishes', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, { lines: 4 })
    const lease = await claim(store, provider, now, 10)
    await store.requests.record(
      lease!.token,
      [succeeded(batch.id, 1, usage(1)), failed(batch.id, 2)],
      now + 1,
    )
    let got = await store.batches.get(scope, batch.id)
    expect(got!.requestCounts).toEqual({ total: 4, completed: 1, failed: 1 })
    expect(got!.wakeAt).toBeNull()
    await store.requests.record(
      lease!.token,
      [succeeded(batch.id, 3, usage(2)), { batchId: batch.id, index: 4, kind: 'retry', notBefore: now }],
      now + 2,
    )
    got = await store.batches.get(scope, batch.id)
    expect(got!.requestCounts).toEqual({ total: 4, completed: 2, failed: 1 })
    expect(got!.usage).toEqual(usage(3))
    expect(got!.wakeAt).toBeNull()
    const retry = await claim(store, provider, now + 3, 10)
    await store.requests.record(retry!.token, [succeeded(batch.id, 4, usage(4))], now + 3)
    got = await store.batches.get(scope, batch.id)
    expect(got!.requestCounts).toEqual({ total: 4, completed: 3, failed: 1 })
    expect(got!.usage).toEqual(usage(7))
    expect(got!.wakeAt).toBe(now + 3)
    expect(await store.requests.inFlight(batch.id)).toBe(0)
  })

  it('wakes a batch that is no longer in_progress on any recorded outcome', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, { lines: 3 })
    const lease = await claim(store, provider, now, 10)
    await store.batches.transition(batch.id, ['in_progress'], 'cancelling', { cancellingAt: now })
    expect((await store.batches.get(scope, batch.id))!.wakeAt).toBeNull()
    await store.requests.record(lease!.token, [succeeded(batch.id, 1)], now + 7)
    expect((await store.batches.get(scope, batch.id))!.wakeAt).toBe(now + 7)
    expect(await store.requests.inFlight(batch.id)).toBe(2)
  })

  it('lets the holder of a lapsed lease record or renew lines nobody re-claimed', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, { lines: 3 })
    const lapsed = await claim(store, provider, now, 2, shortLease.leaseMs, 'w1')
    await sleep(shortLease.waitMs)
    expect(await store.requests.inFlight(batch.id)).toBe(0)
    // Nobody claimed or closed line 1 since: the late outcome still counts, once.
    expect(await store.requests.record(lapsed!.token, [succeeded(batch.id, 1)], clock.now())).toEqual({
      accepted: 1,
    })
    expect(await store.requests.heartbeat(lapsed!.token, longLease)).toBe(1)
    expect(await store.requests.inFlight(batch.id)).toBe(1)
    // Line 2 is held again by the renewed lease; only line 3 is claimable.
    expect(lineIds(await claim(store, provider, clock.now(), 10, longLease, 'w2'))).toEqual([`${batch.id}#3`])
    expect((await store.batches.get(scope, batch.id))!.requestCounts).toEqual({
      total: 3,
      completed: 1,
      failed: 0,
    })
  })

  it('does not lose a wake-up recorded while the batch lease is held', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, {
      lines: 1,
      overrides: { wakeAt: now - 1 },
    })
    const leases = await store.batches.claim({ workerId: 'a', now, leaseMs: longLease, limit: 1000 })
    const batchLease = leases.find((l) => l.batch.id === batch.id)
    for (const other of leases) {
      if (other !== batchLease) await store.batches.release(other.batch.id, other.token, other.batch.wakeAt)
    }
    expect(batchLease).toBeDefined()
    const work = await claim(store, provider, now, 10)
    await store.requests.record(work!.token, [succeeded(batch.id, 1)], now + 5)
    expect((await store.batches.get(scope, batch.id))!.wakeAt).toBe(now - 1)
    // The holder decided "nothing to do" before the line finished: its release keeps the wake-up.
    await store.batches.release(batch.id, batchLease!.token, null)
    expect((await store.batches.get(scope, batch.id))!.wakeAt).toBe(now + 5)
    const again = await store.batches.claim({
      workerId: 'a',
      now: now + 5,
      leaseMs: longLease,
      limit: 1000,
    })
    const mine = again.find((l) => l.batch.id === batch.id)
    for (const other of again) {
      if (other !== mine) await store.batches.release(other.batch.id, other.token, other.batch.wakeAt)
    }
    expect(mine).toBeDefined()
    // A release after a lease without wake-ups sets exactly what the holder asked for.
    await store.batches.release(batch.id, mine!.token, null)
    expect((await store.batches.get(scope, batch.id))!.wakeAt).toBeNull()
  })

  it('adds outcomes recorded concurrently under several leases exactly once to the counters', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider, scope } = await runningBatch(store, now, { lines: 60 })
    const leases: RequestLease[] = []
    for (let i = 0; i < 6; i++) leases.push((await claim(store, provider, now, 10, longLease, `w${i}`))!)
    await Promise.all(
      leases.map((lease, i) =>
        store.requests.record(
          lease.token,
          lease.requests.map((r) =>
            i % 2 === 0 ? succeeded(batch.id, r.index, usage(1)) : failed(batch.id, r.index),
          ),
          now + i,
        ),
      ),
    )
    const got = await store.batches.get(scope, batch.id)
    expect(got!.requestCounts).toEqual({ total: 60, completed: 30, failed: 30 })
    expect(got!.usage).toEqual(usage(30))
    expect(got!.wakeAt).not.toBeNull()
    expect(await store.requests.readOutcomes(batch.id, 'succeeded', 0, 100)).toHaveLength(30)
  })
}
