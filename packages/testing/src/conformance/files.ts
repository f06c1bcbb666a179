import { BatchkitError } from '@batchkit/core'
import { type FileRecord, newFileId } from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import {
  batchRecord,
  bytes,
  chunkStream,
  concat,
  fileRecord,
  newScope,
  readAll,
  sameBytes,
} from './fixtures.ts'
import type { HarnessRef } from './harness.ts'

/** Conformance of `store.files`. */
export function describeFileConformance(harness: HarnessRef): void {
  describe('files', () => {
    const chunks = [bytes(5, 0), bytes(7, 5), bytes(3, 12)]
    const whole = concat(chunks)

    /** Writes `chunks` as a new file of `scope` and inserts its record. */
    const stored = async (scope = newScope(), overrides: Partial<FileRecord> = {}) => {
      const { store, clock } = harness()
      const record = fileRecord(scope, clock.now(), overrides)
      const size = await store.files.writeContent(record.id, chunkStream(chunks))
      await store.files.insert({ ...record, bytes: size })
      return { scope, record: { ...record, bytes: size } }
    }

    it('round-trips multi-chunk content and counts its bytes', async () => {
      const { store } = harness()
      const { scope, record } = await stored()
      expect(record.bytes).toBe(15)
      expect(await readAll(await store.files.read(scope, record.id))).toEqual(whole)
    })

    it('round-trips large content made of many small chunks', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const parts = Array.from({ length: 300 }, (_, i) => bytes(1000 + (i % 7), i))
      const record = fileRecord(scope, clock.now())
      expect(await store.files.writeContent(record.id, chunkStream(parts))).toBe(
        parts.reduce((sum, p) => sum + p.byteLength, 0),
      )
      await store.files.insert(record)
      const all = concat(parts)
      expect(sameBytes(await readAll(await store.files.read(scope, record.id)), all)).toBe(true)
      const mid = { start: 123_456, end: 200_001 }
      const part = await readAll(await store.files.read(scope, record.id, mid))
      expect(sameBytes(part, all.slice(mid.start, mid.end))).toBe(true)
    })

    it('stores empty content', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = fileRecord(scope, clock.now())
      expect(await store.files.writeContent(record.id, chunkStream([]))).toBe(0)
      await store.files.insert(record)
      expect(await readAll(await store.files.read(scope, record.id))).toEqual(new Uint8Array(0))
    })

    it('reads half-open byte ranges, across and at chunk boundaries', async () => {
      const { store } = harness()
      const { scope, record } = await stored()
      const ranges: [number, number][] = [
        [0, 5],
        [5, 12],
        [12, 15],
        [4, 6],
        [4, 13],
        [0, 15],
        [14, 15],
        [7, 7],
        [11, 12],
      ]
      for (const [start, end] of ranges) {
        const got = await readAll(await store.files.read(scope, record.id, { start, end }))
        expect(got, `range [${start}, ${end})`).toEqual(whole.slice(start, end))
      }
    })

    it('rejects content past maxBytes with file_too_large and keeps nothing', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = fileRecord(scope, clock.now())
      const error = await store.files
        .writeContent(record.id, chunkStream(chunks), { maxBytes: 14 })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BatchkitError)
      expect((error as BatchkitError).code).toBe('file_too_large')
      await store.files.insert(record)
      const leftover = await readAll(await store.files.read(scope, record.id))
      expect(leftover === null || leftover.byteLength === 0).toBe(true)
      // The id is reusable and no partial chunk of the failed write shows up.
      expect(await store.files.writeContent(record.id, chunkStream([bytes(4, 100)]))).toBe(4)
      expect(await readAll(await store.files.read(scope, record.id))).toEqual(bytes(4, 100))
    })

    it('accepts content of exactly maxBytes', async () => {
      const { store, clock } = harness()
      const record = fileRecord(newScope(), clock.now())
      expect(await store.files.writeContent(record.id, chunkStream(chunks), { maxBytes: 15 })).toBe(15)
    })

    it('stops reading an endless stream once past maxBytes', async () => {
      const { store } = harness()
      let pulls = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++
          controller.enqueue(new Uint8Array(1024))
        },
      })
      const error = await store.files
        .writeContent(newFileId(), endless, { maxBytes: 10 * 1024 })
        .catch((e: unknown) => e)
      expect((error as BatchkitError).code).toBe('file_too_large')
      expect(pulls).toBeLessThan(100)
    })

    it('propagates an error of the content stream and keeps nothing', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = fileRecord(scope, clock.now())
      let sent = false
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new Error('connection reset'))
          sent = true
          controller.enqueue(bytes(10))
        },
      })
      await expect(store.files.writeContent(record.id, failing)).rejects.toThrow()
      await store.files.insert(record)
      const leftover = await readAll(await store.files.read(scope, record.id))
      expect(leftover === null || leftover.byteLength === 0).toBe(true)
    })

    it('insert is idempotent by id and keeps the first record', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const record = fileRecord(scope, clock.now(), { filename: 'first.jsonl' })
      await store.files.insert(record)
      await store.files.insert({ ...record, filename: 'second.jsonl' })
      expect(await store.files.get(scope, record.id, clock.now())).toEqual(record)
      const page = await store.files.list(scope, { limit: 10, order: 'asc', now: clock.now() })
      expect(page.data.map((f) => f.id)).toEqual([record.id])
    })

    it('scopes get, list, read and delete to the owner', async () => {
      const { store, clock } = harness()
      const { scope, record } = await stored()
      const other = newScope()
      expect(await store.files.get(scope, record.id, clock.now())).toEqual(record)
      expect(await store.files.get(other, record.id, clock.now())).toBeNull()
      expect(await store.files.read(other, record.id)).toBeNull()
      expect(await store.files.list(other, { limit: 10, order: 'desc', now: clock.now() })).toEqual({
        data: [],
        hasMore: false,
      })
      expect(await store.files.delete(other, record.id)).toBe(false)
      expect(await store.files.get(scope, record.id, clock.now())).toEqual(record)
      expect(await store.files.get(scope, newFileId(), clock.now())).toBeNull()
    })

    it('returns copies that do not alias stored state', async () => {
      const { store, clock } = harness()
      const { scope, record } = await stored()
      const got = await store.files.get(scope, record.id, clock.now())
      got!.filename = 'mutated'
      const page = await store.files.list(scope, { limit: 1, order: 'asc', now: clock.now() })
      page.data[0]!.bytes = -1
      expect(await store.files.get(scope, record.id, clock.now())).toEqual(record)
    })

    it('lists in insertion order both ways, with an `after` cursor and an exact hasMore', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const createdAt = clock.now()
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        // Same createdAt for all: order must come from insertion, not timestamps or ids.
        const record = fileRecord(scope, createdAt)
        await store.files.insert(record)
        ids.push(record.id)
      }
      const now = clock.now()
      const list = (order: 'asc' | 'desc', limit: number, after?: string) =>
        store.files.list(scope, { order, limit, now, ...(after === undefined ? {} : { after }) })
      const asc = await list('asc', 10)
      expect(asc).toEqual({ data: expect.any(Array), hasMore: false })
      expect(asc.data.map((f) => f.id)).toEqual(ids)
      expect((await list('desc', 10)).data.map((f) => f.id)).toEqual([...ids].reverse())

      const p1 = await list('asc', 2)
      expect([p1.data.map((f) => f.id), p1.hasMore]).toEqual([ids.slice(0, 2), true])
      const p2 = await list('asc', 2, ids[1])
      expect([p2.data.map((f) => f.id), p2.hasMore]).toEqual([ids.slice(2, 4), true])
      const p3 = await list('asc', 2, ids[3])
      expect([p3.data.map((f) => f.id), p3.hasMore]).toEqual([ids.slice(4), false])
      const exact = await list('asc', 2, ids[2])
      expect([exact.data.map((f) => f.id), exact.hasMore]).toEqual([ids.slice(3), false])
      const full = await list('asc', 5)
      expect(full.hasMore).toBe(false)

      const d1 = await list('desc', 3)
      expect([d1.data.map((f) => f.id), d1.hasMore]).toEqual([[ids[4], ids[3], ids[2]], true])
      const d2 = await list('desc', 3, ids[2])
      expect([d2.data.map((f) => f.id), d2.hasMore]).toEqual([[ids[1], ids[0]], false])
      expect(await list('desc', 3, ids[0])).toEqual({ data: [], hasMore: false })
      expect(await list('asc', 3, newFileId())).toEqual({ data: [], hasMore: false })
    })

    it('filters lists by purpose, keeping exact pagination', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const purposes = ['batch', 'batch_output', 'batch', 'batch_output', 'batch'] as const
      const records = purposes.map((purpose) => fileRecord(scope, now, { purpose }))
      for (const record of records) await store.files.insert(record)
      const outputs = records.filter((r) => r.purpose === 'batch_output').map((r) => r.id)
      const page = await store.files.list(scope, { purpose: 'batch_output', limit: 10, order: 'asc', now })
      expect(page.data.map((f) => f.id)).toEqual(outputs)
      const first = await store.files.list(scope, { purpose: 'batch_output', limit: 1, order: 'asc', now })
      expect([first.data.map((f) => f.id), first.hasMore]).toEqual([[outputs[0]], true])
      const last = await store.files.list(scope, {
        purpose: 'batch_output',
        limit: 1,
        order: 'asc',
        now,
        after: outputs[0]!,
      })
      expect([last.data.map((f) => f.id), last.hasMore]).toEqual([[outputs[1]], false])
    })

    it('hides expired files from get and list (expiresAt <= now)', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const expiring = fileRecord(scope, now, { expiresAt: now + 60_000 })
      const forever = fileRecord(scope, now)
      await store.files.insert(expiring)
      await store.files.insert(forever)
      expect(await store.files.get(scope, expiring.id, now + 59_999)).toEqual(expiring)
      expect(await store.files.get(scope, expiring.id, now + 60_000)).toBeNull()
      const listed = await store.files.list(scope, { limit: 1, order: 'asc', now: now + 60_000 })
      expect([listed.data.map((f) => f.id), listed.hasMore]).toEqual([[forever.id], false])
      clock.advance(120_000)
      expect(await store.files.get(scope, expiring.id, clock.now())).toBeNull()
      expect(await store.files.get(scope, forever.id, clock.now())).toEqual(forever)
    })

    it('delete hides a file once; its content stays readable by the owner until purged', async () => {
      const { store, clock } = harness()
      const { scope, record } = await stored()
      const kept = await stored(scope)
      expect(await store.files.delete(scope, record.id)).toBe(true)
      expect(await store.files.delete(scope, record.id)).toBe(false)
      expect(await store.files.delete(scope, newFileId())).toBe(false)
      expect(await store.files.get(scope, record.id, clock.now())).toBeNull()
      const page = await store.files.list(scope, { limit: 10, order: 'asc', now: clock.now() })
      expect(page.data.map((f) => f.id)).toEqual([kept.record.id])
      expect(await readAll(await store.files.read(scope, record.id))).toEqual(whole)
      expect(await readAll(await store.files.read(scope, record.id, { start: 2, end: 9 }))).toEqual(
        whole.slice(2, 9),
      )
      expect(await store.files.read(newScope(), record.id)).toBeNull()

      await store.files.purgeContent(record.id)
      await store.files.purgeContent(record.id)
      expect(await store.files.read(scope, record.id)).toBeNull()
      expect(await readAll(await store.files.read(scope, kept.record.id))).toEqual(whole)
    })

    it('sweeps expired files, record and content, but keeps inputs of batches that have not ended', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      const expiring = (ms: number) => stored(scope, { expiresAt: now + ms })
      const first = await expiring(1_000)
      const second = await expiring(2_000)
      const later = await expiring(600_000)
      const forever = await stored(scope)
      const runningInput = await expiring(1_000)
      const endedInput = await expiring(1_000)
      await store.batches.insert(batchRecord(scope, now, { inputFileId: runningInput.record.id }))
      await store.batches.insert(
        batchRecord(scope, now, { status: 'completed', completedAt: now, inputFileId: endedInput.record.id }),
      )

      const swept = await store.files.sweepExpired(now + 2_000, 1_000)
      expect(swept).toEqual(expect.arrayContaining([first.record.id, second.record.id, endedInput.record.id]))
      for (const kept of [later, forever, runningInput]) expect(swept).not.toContain(kept.record.id)
      for (const gone of [first, second, endedInput]) {
        expect(await store.files.read(scope, gone.record.id)).toBeNull()
        expect(await store.files.get(scope, gone.record.id, now)).toBeNull()
      }
      expect(await readAll(await store.files.read(scope, runningInput.record.id))).toEqual(whole)
      expect(await store.files.get(scope, later.record.id, now)).toEqual(later.record)
      expect(await store.files.sweepExpired(now + 2_000, 1_000)).not.toContain(first.record.id)
      const page = await store.files.list(scope, { limit: 10, order: 'asc', now })
      expect(page.data.map((f) => f.id)).toEqual([later.record.id, forever.record.id, runningInput.record.id])
    })

    it('sweeps at most `limit` expired files per call, earliest expiry first', async () => {
      const { store, clock } = harness()
      const scope = newScope()
      const now = clock.now()
      // Other tests' expired files share the store: clear what has expired by now first.
      await store.files.sweepExpired(now, 10_000)
      const files = []
      for (const ms of [3, 1, 2]) files.push((await stored(scope, { expiresAt: now + ms })).record.id)
      const [third, first, second] = files
      expect(await store.files.sweepExpired(now + 3, 1)).toEqual([first])
      expect((await store.files.sweepExpired(now + 3, 1_000)).sort()).toEqual([second, third].sort())
      expect(await store.files.list(scope, { limit: 10, order: 'asc', now })).toEqual({
        data: [],
        hasMore: false,
      })
    })

    it('purges the content of a live file', async () => {
      const { store } = harness()
      const { scope, record } = await stored()
      await store.files.purgeContent(record.id)
      expect(await store.files.read(scope, record.id)).toBeNull()
    })
  })
}
