import type { RequestOutcome } from '@batchkit/core/store'
import { batchRecord } from '@batchkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresStore } from './store.ts'
import { createTestSchema, type TestSchema } from './testing/index.ts'

/** Lines and batches for these tests, inserted straight into the store. */
async function runningBatch(store: PostgresStore, lines: number, provider: string) {
  const now = Date.now()
  const id = `batch_race_${Math.random().toString(16).slice(2)}`
  await store.batches.insert(
    batchRecord({ ownerId: 'owner-races' }, now, {
      id,
      status: 'in_progress',
      inputFileId: 'file-x',
      inProgressAt: now,
      requestCounts: { total: lines, completed: 0, failed: 0 },
      provider,
    }),
  )
  for (let from = 1; from <= lines; from += 1000) {
    const items = []
    for (let index = from; index < Math.min(from + 1000, lines + 1); index++) {
      items.push({ index, id: `batch_req_${index}`, customId: `c-${index}`, offset: index * 10, length: 9 })
    }
    await store.requests.insert(id, items)
  }
  return id
}

describe('postgres store under concurrent clients', () => {
  let db: TestSchema
  let stores: PostgresStore[]
  beforeAll(async () => {
    db = await createTestSchema('races')
    // Each store has a client (and connections) of its own, like separate worker processes.
    stores = Array.from({ length: 5 }, () => db.store({ connection: { max: 2 } }))
  })
  afterAll(() => db?.drop())

  it('never hands a line to two clients racing claims on one batch', async () => {
    const provider = 'race-claims'
    const batchId = await runningBatch(stores[0]!, 3000, provider)
    const seen = await Promise.all(
      stores.map(async (store, w) => {
        const mine: number[] = []
        for (;;) {
          const lease = await store.requests.claim({
            workerId: `w${w}`,
            now: Date.now(),
            leaseMs: 60_000,
            limit: 13 + w * 7,
            providers: [provider],
          })
          if (lease === null) return mine
          for (const r of lease.requests) {
            expect(r.batchId).toBe(batchId)
            expect(r.attempts).toBe(1)
            mine.push(r.index)
          }
        }
      }),
    )
    const all = seen.flat()
    expect(all).toHaveLength(3000)
    expect(new Set(all).size).toBe(3000)
    // Everyone got a share: the claims really raced instead of running one after another.
    expect(seen.filter((lines) => lines.length > 0).length).toBeGreaterThan(1)
    expect(await stores[0]!.requests.inFlight(batchId)).toBe(3000)
  })

  it('finishes a batch exactly once while workers race, retry lines and crash (lapsed leases)', async () => {
    const provider = 'race-workers'
    const lines = 2000
    const batchId = await runningBatch(stores[0]!, lines, provider)
    const outcomes = new Map<number, number>()
    let crashes = 0
    await Promise.all(
      stores.map(async (store, w) => {
        for (let round = 0; round < 10_000; round++) {
          const lease = await store.requests.claim({
            workerId: `w${w}`,
            now: Date.now(),
            leaseMs: 1000,
            limit: 25,
            providers: [provider],
          })
          if (lease === null) {
            const open = await store.batches.get({ ownerId: 'owner-races' }, batchId)
            const { total, completed, failed } = open!.requestCounts
            if (completed + failed >= total) return
            await new Promise((r) => setTimeout(r, 20))
            continue
          }
          // Worker 0 "crashes" on every fifth lease: it never records, the lease lapses.
          if (w === 0 && round % 5 === 0) {
            crashes++
            continue
          }
          const batch: RequestOutcome[] = lease.requests.map((r) =>
            r.index % 7 === 0 && r.attempts === 1
              ? { batchId, index: r.index, kind: 'retry', notBefore: Date.now() }
              : {
                  batchId,
                  index: r.index,
                  kind: r.index % 3 === 0 ? 'failed' : 'succeeded',
                  line: `{"i":${r.index}}`,
                },
          )
          const { accepted } = await store.requests.record(lease.token, batch, Date.now())
          expect(accepted).toBe(batch.length)
          for (const o of batch)
            if (o.kind !== 'retry') outcomes.set(o.index, (outcomes.get(o.index) ?? 0) + 1)
        }
      }),
    )
    expect(crashes).toBeGreaterThan(0)
    expect(outcomes.size).toBe(lines)
    expect([...outcomes.values()].every((n) => n === 1)).toBe(true)
    const batch = await stores[1]!.batches.get({ ownerId: 'owner-races' }, batchId)
    const failed = Math.floor(lines / 3)
    expect(batch!.requestCounts).toEqual({ total: lines, completed: lines - failed, failed })
    expect(batch!.wakeAt).not.toBeNull()
    const ok = await stores[2]!.requests.readOutcomes(batchId, 'succeeded', 0, 10_000)
    const bad = await stores[2]!.requests.readOutcomes(batchId, 'failed', 0, 10_000)
    expect(ok.length + bad.length).toBe(lines)
    expect(bad.every((row) => row.index % 3 === 0)).toBe(true)
  })
})
