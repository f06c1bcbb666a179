import type { BatchRecord } from '@batchkit/core/store'
import { batchRecord } from '@batchkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestSchema, type TestSchema } from './testing/index.ts'

const owner = { ownerId: 'owner-requests' }

function batch(id: string, inputFileId: string, total: number): BatchRecord {
  const now = Date.now()
  return batchRecord(owner, now, {
    id,
    status: 'in_progress',
    inputFileId,
    inProgressAt: now,
    requestCounts: { total, completed: 0, failed: 0 },
    provider: 'p',
  })
}

/** `n` JSONL lines of 20 bytes each (with the line break), line i starting at byte 20 × (i - 1). */
const lineText = (i: number): string => `{"line":${String(i).padStart(10, '0')}}`

describe('postgres request lines', () => {
  let db: TestSchema
  beforeAll(async () => {
    db = await createTestSchema('requests')
  })
  afterAll(() => db?.drop())

  it('analyzes a table that has no statistics after its first insert, and re-inserts idempotently', async () => {
    const store = db.store()
    const stats = () =>
      db.sql.unsafe(
        `select count(*)::int as n from pg_stats where schemaname = $1 and tablename = 'requests'`,
        [db.schema],
      )
    expect((await stats())[0]!.n).toBe(0)
    await store.batches.insert({ ...batch('batch_stats', 'file-none', 6), status: 'validating' })
    const items = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, k) => ({
        index: from + k,
        id: `batch_req_${from + k}`,
        customId: `c-${from + k}`,
        offset: (from + k - 1) * 20,
        length: 19,
      }))
    await store.requests.insert('batch_stats', items(1, 4))
    expect((await stats())[0]!.n).toBeGreaterThan(0)
    // A validation that ran again after a crash: lines 3–4 are stored already, 5–6 are new.
    await store.requests.insert('batch_stats', [
      ...items(3, 4).map((i) => ({ ...i, customId: 'changed' })),
      ...items(5, 6),
    ])
    const rows = await db.sql.unsafe(
      `select idx, custom_id from "${db.schema}".requests where batch_id = 'batch_stats' order by idx`,
    )
    expect(rows.map((r) => [r.idx, r.custom_id])).toEqual([
      [1, 'c-1'],
      [2, 'c-2'],
      [3, 'c-3'],
      [4, 'c-4'],
      [5, 'c-5'],
      [6, 'c-6'],
    ])
  })

  it('hands claimed lines their input bytes, read along with the claim', async () => {
    const store = db.store({ chunkBytes: 64 })
    const lines = 40
    const text = Array.from({ length: lines }, (_, i) => `${lineText(i + 1)}\n`).join('')
    await store.files.writeContent('file-claimed', new Response(text).body!)
    await store.files.insert({
      id: 'file-claimed',
      ownerId: owner.ownerId,
      filename: 'in.jsonl',
      purpose: 'batch',
      bytes: text.length,
      createdAt: Date.now(),
      expiresAt: null,
    })
    await store.batches.insert(batch('batch_claimed', 'file-claimed', lines))
    await store.requests.insert(
      'batch_claimed',
      Array.from({ length: lines }, (_, k) => ({
        index: k + 1,
        id: `batch_req_${k + 1}`,
        customId: `c-${k + 1}`,
        offset: k * 20,
        length: 19,
      })),
    )
    const lease = await store.requests.claim({ workerId: 'w', now: Date.now(), leaseMs: 60_000, limit: 10 })
    expect(lease?.requests.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    // Each claimed line carries exactly its bytes, read in the claim's own round trip.
    const decoder = new TextDecoder()
    expect(lease!.requests.map((r) => decoder.decode(r.input))).toEqual(
      Array.from({ length: 10 }, (_, k) => lineText(k + 1)),
    )
  })
})
