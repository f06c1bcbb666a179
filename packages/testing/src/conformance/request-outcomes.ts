import { expect, it } from 'vitest'
import { newProvider, runningBatch, shortLease, sleep } from './fixtures.ts'
import type { HarnessRef } from './harness.ts'
import { claim, failed, lineIds, succeeded } from './request-helpers.ts'

/** Conformance of `store.requests`: lines in flight, closing the rest, reading outcomes and deleting lines. */
export function describeRequestOutcomeConformance(harness: HarnessRef): void {
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

  it('closeRemaining fails pending and stale lines, leaving live leases alone, honest about sent ones', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, items, provider, scope } = await runningBatch(store, now, { lines: 7 })
    const live = await claim(store, provider, now, 2)
    const stale = await claim(store, provider, now, 2, shortLease.leaseMs)
    const done = await claim(store, provider, now, 1)
    await store.requests.record(done!.token, [succeeded(batch.id, 5)], now)
    // Line 6 is handed back unsent (its attempt given back); line 7 is never claimed.
    const handedBack = await claim(store, provider, now, 1)
    await store.requests.record(
      handedBack!.token,
      [{ batchId: batch.id, index: 6, kind: 'retry', notBefore: now + 60_000, unsent: true }],
      now,
    )
    await sleep(shortLease.waitMs)

    const error = {
      code: 'batch_cancelled',
      message: 'Batch was cancelled before this request ran.',
      sentMessage: 'Batch was cancelled; this request may have been sent.',
    }
    expect(await store.requests.closeRemaining(batch.id, error)).toBe(4)
    const expectedLine = (index: number, message: string) =>
      JSON.stringify({
        id: items[index - 1]!.id,
        custom_id: items[index - 1]!.customId,
        response: null,
        error: { code: 'batch_cancelled', message },
      })
    expect(expectedLine(3, error.message)).toBe(
      `{"id":"${items[2]!.id}","custom_id":"req-3","response":null,"error":{"code":"batch_cancelled","message":"Batch was cancelled before this request ran."}}`,
    )
    // Lines 3 and 4 were claimed by a worker that never recorded them: they may have been sent.
    expect(await store.requests.readOutcomes(batch.id, 'failed', 0, 100)).toEqual([
      { index: 3, line: expectedLine(3, error.sentMessage) },
      { index: 4, line: expectedLine(4, error.sentMessage) },
      { index: 6, line: expectedLine(6, error.message) },
      { index: 7, line: expectedLine(7, error.message) },
    ])
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
}
