import type { RequestLease, RequestOutcome, Store, UsageTotals } from '@batchkit/core'
import { describe, expect, it } from 'vitest'
import {
  batchRecord,
  longLease,
  newProvider,
  newScope,
  range,
  requestItems,
  runningBatch,
  shortLease,
  sleep,
} from './fixtures.ts'
import type { HarnessRef } from './harness.ts'

/** Conformance of `store.requests`. */
export function describeRequestConformance(harness: HarnessRef): void {
  describe('requests', () => {
    /** Claims lines of `provider` only: claims are global and a shared database may hold other lines. */
    const claim = (
      store: Store,
      provider: string,
      now: number,
      limit: number,
      leaseMs: number = longLease,
      workerId = 'w1',
    ): Promise<RequestLease | null> =>
      store.requests.claim({ workerId, now, leaseMs, limit, providers: [provider] })

    const lineIds = (lease: RequestLease | null): string[] =>
      (lease?.requests ?? []).map((r) => `${r.batchId}#${r.index}`)

    const usage = (n: number): UsageTotals => ({
      inputTokens: n,
      cachedTokens: n * 10,
      outputTokens: n * 100,
      reasoningTokens: n * 1000,
      totalTokens: n * 10000,
    })

    const succeeded = (batchId: string, index: number, u?: UsageTotals): RequestOutcome => ({
      batchId,
      index,
      kind: 'succeeded',
      line: `{"ok":${index}}`,
      ...(u === undefined ? {} : { usage: u }),
    })
    const failed = (batchId: string, index: number): RequestOutcome => ({
      batchId,
      index,
      kind: 'failed',
      line: `{"failed":${index}}`,
    })

    it('claims lines with their item, owner, batch and attempt, under one fresh token', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, items, provider } = await runningBatch(store, now, { lines: 3 })
      const lease = await claim(store, provider, now, 10)
      expect(lease).not.toBeNull()
      expect(typeof lease!.token).toBe('string')
      expect(typeof lease!.expiresAt).toBe('number')
      expect(lease!.requests).toEqual(
        items.map((item) => ({ ...item, batchId: batch.id, ownerId: batch.ownerId, attempts: 1 })),
      )
      expect(await claim(store, provider, now, 10)).toBeNull()
      const other = await runningBatch(store, now, { lines: 1, provider })
      const next = await claim(store, provider, now, 10)
      expect(next!.token).not.toBe(lease!.token)
      expect(lineIds(next)).toEqual([`${other.batch.id}#1`])
    })

    it('insert is idempotent per (batch, line index) and claims follow line order', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, items, provider } = await runningBatch(store, now, { lines: 0 })
      const later = requestItems([5, 3, 4])
      const first = requestItems([1, 2, 3])
      await store.requests.insert(batch.id, later)
      await store.requests.insert(batch.id, first)
      await store.requests.insert(batch.id, requestItems([2, 5, 6]))
      expect(items).toEqual([])
      const lease = await claim(store, provider, now, 100)
      expect(lease!.requests.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6])
      // The first insert of a line wins.
      expect(lease!.requests[2]!.id).toBe(later[1]!.id)
      expect(lease!.requests[1]!.id).toBe(first[1]!.id)
    })

    it('claims oldest batch first, then by line index, up to the limit', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const provider = newProvider()
      const older = await runningBatch(store, now - 1000, { lines: 3, provider })
      const newer = await runningBatch(store, now, { lines: 3, provider })
      const a = await claim(store, provider, now, 4)
      expect(lineIds(a)).toEqual([
        `${older.batch.id}#1`,
        `${older.batch.id}#2`,
        `${older.batch.id}#3`,
        `${newer.batch.id}#1`,
      ])
      const b = await claim(store, provider, now, 4)
      expect(lineIds(b)).toEqual([`${newer.batch.id}#2`, `${newer.batch.id}#3`])
      expect(await claim(store, provider, now, 4)).toBeNull()
      expect(await claim(store, provider, now, 0)).toBeNull()
    })

    it('claims only lines of in_progress, unexpired batches of the given providers', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const provider = newProvider()
      const scope = newScope()
      const validating = await store.batches.insert(batchRecord(scope, now, { provider }))
      await store.requests.insert(validating.id, requestItems([1]))
      const cancelling = await runningBatch(store, now, {
        provider,
        lines: 1,
        overrides: { status: 'cancelling' },
      })
      const expired = await runningBatch(store, now, { provider, lines: 1, overrides: { expiresAt: now } })
      const elsewhere = await runningBatch(store, now, { lines: 1 })
      const due = await runningBatch(store, now, { provider, lines: 1 })

      const lease = await claim(store, provider, now, 100)
      expect(lineIds(lease)).toEqual([`${due.batch.id}#1`])
      expect(await claim(store, provider, now, 100)).toBeNull()

      // The expired batch is claimable at an earlier `now`; the others once they run.
      expect(lineIds(await claim(store, provider, now - 1, 100))).toEqual([`${expired.batch.id}#1`])
      await store.batches.transition(validating.id, ['validating'], 'in_progress', {})
      expect(lineIds(await claim(store, provider, now, 100))).toEqual([`${validating.id}#1`])
      expect(lineIds(await claim(store, provider, now - 1, 100))).toEqual([])
      expect(cancelling.items).toHaveLength(1)
      const both = await store.requests.claim({
        workerId: 'w',
        now,
        leaseMs: longLease,
        limit: 100,
        providers: [newProvider(), elsewhere.provider],
      })
      expect(lineIds(both)).toEqual([`${elsewhere.batch.id}#1`])
    })

    it('claims every provider without a filter', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const mine = [
        await runningBatch(store, now, { lines: 2 }),
        await runningBatch(store, now, { lines: 1 }),
      ]
      const expected = mine.flatMap(({ batch, items }) => items.map((i) => `${batch.id}#${i.index}`))
      // A shared database may hold other tests' lines: drain until all of ours came out.
      const seen = new Set<string>()
      for (let round = 0; round < 1000 && !expected.every((id) => seen.has(id)); round++) {
        const lease = await store.requests.claim({ workerId: 'w', now, leaseMs: longLease, limit: 500 })
        if (lease === null) break
        for (const id of lineIds(lease)) seen.add(id)
      }
      expect(expected.filter((id) => !seen.has(id))).toEqual([])
    })

    it('respects notBefore of retried lines and counts attempts', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, provider } = await runningBatch(store, now, { lines: 2 })
      const first = await claim(store, provider, now, 10)
      const retry: RequestOutcome = { batchId: batch.id, index: 1, kind: 'retry', notBefore: now + 5000 }
      expect(await store.requests.record(first!.token, [retry, succeeded(batch.id, 2)], now)).toEqual({
        accepted: 2,
      })
      expect(await claim(store, provider, now, 10)).toBeNull()
      expect(await claim(store, provider, now + 4999, 10)).toBeNull()
      const second = await claim(store, provider, now + 5000, 10)
      expect(second!.requests.map((r) => [r.index, r.attempts])).toEqual([[1, 2]])
      await store.requests.record(second!.token, [{ ...retry, notBefore: now + 6000 }], now + 5000)
      const third = await claim(store, provider, now + 7000, 10)
      expect(third!.requests.map((r) => [r.index, r.attempts])).toEqual([[1, 3]])
      const got = await store.batches.get({ ownerId: batch.ownerId }, batch.id)
      expect(got!.requestCounts).toEqual({ total: 2, completed: 1, failed: 0 })
    })

    it('orders a due retry by its line index among fresh lines', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, provider } = await runningBatch(store, now, { lines: 5 })
      const lease = await claim(store, provider, now, 2)
      await store.requests.record(
        lease!.token,
        [{ batchId: batch.id, index: 2, kind: 'retry', notBefore: now + 10 }, succeeded(batch.id, 1)],
        now,
      )
      const next = await claim(store, provider, now + 10, 2)
      expect(next!.requests.map((r) => r.index)).toEqual([2, 3])
    })

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

    it('never hands out a line twice to 10 concurrent claims', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const provider = newProvider()
      const batches = [
        await runningBatch(store, now, { lines: 30, provider }),
        await runningBatch(store, now, { lines: 20, provider }),
      ]
      const leases = await Promise.all(
        range(10).map((i) => claim(store, provider, now, 7, longLease, `w${i}`)),
      )
      const ids = leases.flatMap(lineIds)
      expect(new Set(ids).size).toBe(ids.length)
      const tokens = leases.filter((l) => l !== null).map((l) => l!.token)
      expect(new Set(tokens).size).toBe(tokens.length)
      // Whatever a racing claim skipped is still there for the next one; nothing is lost or doubled.
      for (
        let lease = await claim(store, provider, now, 7);
        lease !== null;
        lease = await claim(store, provider, now, 7)
      ) {
        ids.push(...lineIds(lease))
      }
      expect(ids).toHaveLength(50)
      expect(new Set(ids).size).toBe(50)
      expect(await store.requests.inFlight(batches[0]!.batch.id)).toBe(30)
    })

    it('heartbeat keeps a lease alive past its original expiry', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, provider } = await runningBatch(store, now, { lines: 3 })
      const lease = await claim(store, provider, now, 2, 400)
      await sleep(100)
      expect(await store.requests.heartbeat(lease!.token, 2000)).toBe(2)
      await sleep(450)
      expect(await store.requests.inFlight(batch.id)).toBe(2)
      expect(lineIds(await claim(store, provider, clock.now(), 10))).toEqual([`${batch.id}#3`])
      expect(await store.requests.record(lease!.token, [succeeded(batch.id, 1)], clock.now())).toEqual({
        accepted: 1,
      })
      expect(await store.requests.heartbeat(lease!.token, 2000)).toBe(1)
      expect(await store.requests.heartbeat('no-such-token', 1000)).toBe(0)
    })

    it('counts lines in flight under live leases only', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, provider } = await runningBatch(store, now, { lines: 5 })
      expect(await store.requests.inFlight(batch.id)).toBe(0)
      const live = await claim(store, provider, now, 2)
      await claim(store, provider, now, 2, shortLease.leaseMs)
      expect(await store.requests.inFlight(batch.id)).toBe(4)
      await store.requests.record(live!.token, [succeeded(batch.id, 1)], now)
      expect(await store.requests.inFlight(batch.id)).toBe(3)
      await sleep(shortLease.waitMs)
      expect(await store.requests.inFlight(batch.id)).toBe(1)
      expect(await store.requests.inFlight('batch_unknown')).toBe(0)
    })

    it('closeRemaining fails pending and stale lines, leaving live leases alone', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, items, provider, scope } = await runningBatch(store, now, { lines: 7 })
      const live = await claim(store, provider, now, 2)
      const stale = await claim(store, provider, now, 2, shortLease.leaseMs)
      const done = await claim(store, provider, now, 1)
      await store.requests.record(done!.token, [succeeded(batch.id, 5)], now)
      await sleep(shortLease.waitMs)

      const error = { code: 'batch_cancelled', message: 'Batch was cancelled before this request ran.' }
      expect(await store.requests.closeRemaining(batch.id, error)).toBe(4)
      const expectedLine = (index: number) =>
        JSON.stringify({
          id: items[index - 1]!.id,
          custom_id: items[index - 1]!.customId,
          response: null,
          error: { code: 'batch_cancelled', message: 'Batch was cancelled before this request ran.' },
        })
      expect(expectedLine(3)).toBe(
        `{"id":"${items[2]!.id}","custom_id":"req-3","response":null,"error":{"code":"batch_cancelled","message":"Batch was cancelled before this request ran."}}`,
      )
      expect(await store.requests.readOutcomes(batch.id, 'failed', 0, 100)).toEqual(
        [3, 4, 6, 7].map((index) => ({ index, line: expectedLine(index) })),
      )
      expect((await store.batches.get(scope, batch.id))!.requestCounts).toEqual({
        total: 7,
        completed: 1,
        failed: 4,
      })
      expect(await store.requests.inFlight(batch.id)).toBe(2)
      expect(await store.requests.closeRemaining(batch.id, error)).toBe(0)
      expect(await claim(store, provider, now, 100)).toBeNull()

      expect(await store.requests.record(stale!.token, [succeeded(batch.id, 3)], now)).toEqual({
        accepted: 0,
      })
      expect(
        await store.requests.record(live!.token, [succeeded(batch.id, 1), failed(batch.id, 2)], now),
      ).toEqual({ accepted: 2 })
      expect((await store.batches.get(scope, batch.id))!.requestCounts).toEqual({
        total: 7,
        completed: 2,
        failed: 5,
      })
      expect(await store.requests.readOutcomes(batch.id, 'succeeded', 0, 100)).toEqual([
        { index: 1, line: '{"ok":1}' },
        { index: 5, line: '{"ok":5}' },
      ])
    })

    it('reads outcomes by kind in line order, after an index, with a limit', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const { batch, provider } = await runningBatch(store, now, { lines: 9 })
      const lease = await claim(store, provider, now, 100)
      const ok = [8, 2, 5, 9]
      const bad = [7, 3]
      for (const index of ok) await store.requests.record(lease!.token, [succeeded(batch.id, index)], now)
      await store.requests.record(
        lease!.token,
        bad.map((index) => failed(batch.id, index)),
        now,
      )
      const read = (kind: 'succeeded' | 'failed', after: number, limit: number) =>
        store.requests.readOutcomes(batch.id, kind, after, limit).then((rows) => rows.map((r) => r.index))
      expect(await read('succeeded', 0, 100)).toEqual([2, 5, 8, 9])
      expect(await read('succeeded', 0, 2)).toEqual([2, 5])
      expect(await read('succeeded', 5, 2)).toEqual([8, 9])
      expect(await read('succeeded', 9, 2)).toEqual([])
      expect(await read('failed', 0, 100)).toEqual([3, 7])
      expect(await read('failed', 3, 100)).toEqual([7])
      expect(await store.requests.readOutcomes(batch.id, 'failed', 0, 1)).toEqual([
        { index: 3, line: '{"failed":3}' },
      ])
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
      expect(lineIds(await claim(store, provider, clock.now(), 10, longLease, 'w2'))).toEqual([
        `${batch.id}#3`,
      ])
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

    it('deleteAll removes every line of one batch', async () => {
      const { store, clock } = harness()
      const now = clock.now()
      const provider = newProvider()
      const gone = await runningBatch(store, now, { lines: 4, provider })
      const kept = await runningBatch(store, now, { lines: 1, provider })
      const lease = await claim(store, provider, now, 2)
      await store.requests.record(lease!.token, [succeeded(gone.batch.id, 1)], now)
      await store.requests.deleteAll(gone.batch.id)
      expect(await store.requests.readOutcomes(gone.batch.id, 'succeeded', 0, 100)).toEqual([])
      expect(await store.requests.inFlight(gone.batch.id)).toBe(0)
      expect(await store.requests.record(lease!.token, [succeeded(gone.batch.id, 2)], now)).toEqual({
        accepted: 0,
      })
      expect(lineIds(await claim(store, provider, now, 100))).toEqual([`${kept.batch.id}#1`])
      await store.requests.deleteAll(gone.batch.id)
    })
  })
}
