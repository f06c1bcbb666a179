import type { RequestItem, RequestOutcome } from '@batchkit/core/store'
import { newFileId, newRequestLineId } from '@batchkit/core/store'
import { expect, it } from 'vitest'
import {
  batchRecord,
  chunkStream,
  fileRecord,
  longLease,
  newProvider,
  newScope,
  range,
  requestItems,
  runningBatch,
  sleep,
} from './fixtures.ts'
import type { HarnessRef } from './harness.ts'
import { claim, lineIds, succeeded } from './request-helpers.ts'

/** Conformance of `store.requests`: claims (which lines, in what order, to whom) and their leases. */
export function describeRequestClaimConformance(harness: HarnessRef): void {
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

  it('gives a claimed line, when it brings its bytes along, exactly its range of the input file', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const scope = newScope()
    const provider = newProvider()
    const texts = ['{"a":1}', '{"bb":22}', '{"ccc":"é ✓"}', '{"d":4}']
    const encoder = new TextEncoder()
    const encoded = texts.map((t) => encoder.encode(t))
    const whole = encoder.encode(`${texts.join('\n')}\n`)
    const fileId = newFileId()
    await store.files.writeContent(fileId, chunkStream([whole.subarray(0, 5), whole.subarray(5)]))
    await store.files.insert(fileRecord(scope, now, { id: fileId, bytes: whole.byteLength }))
    let offset = 0
    const items: RequestItem[] = encoded.map((bytes, i) => {
      const item = {
        index: i + 1,
        id: newRequestLineId(),
        customId: `c-${i + 1}`,
        offset,
        length: bytes.byteLength,
      }
      offset += bytes.byteLength + 1
      return item
    })
    const batch = await store.batches.insert(
      batchRecord(scope, now, {
        status: 'in_progress',
        provider,
        inputFileId: fileId,
        inProgressAt: now,
        requestCounts: { total: items.length, completed: 0, failed: 0 },
      }),
    )
    await store.requests.insert(batch.id, items)
    // Lines 2 and 4: not adjacent, so a store that reads spans must cut them right.
    await store.requests.record((await claim(store, provider, now, 1))!.token, [succeeded(batch.id, 1)], now)
    const lease = await claim(store, provider, now, 10)
    expect(lease!.requests.map((r) => r.index)).toEqual([2, 3, 4])
    const decoder = new TextDecoder()
    for (const request of lease!.requests) {
      if (request.input === undefined) continue
      expect(decoder.decode(request.input)).toBe(texts[request.index - 1])
    }
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
    const mine = [await runningBatch(store, now, { lines: 2 }), await runningBatch(store, now, { lines: 1 })]
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

  it('gives back the attempt of a line handed back unsent', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const { batch, provider } = await runningBatch(store, now, { lines: 1 })
    const first = await claim(store, provider, now, 10)
    expect(first!.requests.map((r) => r.attempts)).toEqual([1])
    const unsent: RequestOutcome = {
      batchId: batch.id,
      index: 1,
      kind: 'retry',
      notBefore: now,
      unsent: true,
    }
    expect(await store.requests.record(first!.token, [unsent], now)).toEqual({ accepted: 1 })
    const second = await claim(store, provider, now, 10)
    expect(second!.requests.map((r) => r.attempts)).toEqual([1])
    await store.requests.record(second!.token, [{ ...unsent, unsent: undefined }], now)
    const third = await claim(store, provider, now, 10)
    expect(third!.requests.map((r) => r.attempts)).toEqual([2])
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

  it('never hands out a line twice to 10 concurrent claims', async () => {
    const { store, clock } = harness()
    const now = clock.now()
    const provider = newProvider()
    const batches = [
      await runningBatch(store, now, { lines: 30, provider }),
      await runningBatch(store, now, { lines: 20, provider }),
    ]
    const leases = await Promise.all(range(10).map((i) => claim(store, provider, now, 7, longLease, `w${i}`)))
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
}
