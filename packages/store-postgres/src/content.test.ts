import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestSchema, type TestSchema } from './testing/index.ts'

const scope = { ownerId: 'owner-content' }

/** `total` bytes in `piece`-sized chunks, generated on demand (never held whole). */
function generated(total: number, piece: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close()
      const n = Math.min(piece, total - sent)
      const chunk = new Uint8Array(n)
      for (let i = 0; i < n; i++) chunk[i] = (sent + i) % 251
      sent += n
      controller.enqueue(chunk)
    },
  })
}

describe('postgres file content', () => {
  let db: TestSchema
  beforeAll(async () => {
    db = await createTestSchema('content')
  })
  afterAll(() => db?.drop())

  it.each([
    ['through COPY', true],
    ['through INSERT and SELECT', false],
  ])('streams a large upload into bounded chunk rows and back out in bounded pages (%s)', async (_, copy) => {
    const store = db.store({ chunkBytes: 256 * 1024, copy })
    const size = 20 * 1024 * 1024 + 12_345
    const id = `file-large-${copy}`
    const expected = createHash('sha256')
    const source = generated(size, 64 * 1024)
    const [forStore, forHash] = source.tee()
    const hashing = (async () => {
      for await (const chunk of forHash as unknown as AsyncIterable<Uint8Array>) expected.update(chunk)
    })()
    expect(await store.files.writeContent(id, forStore)).toBe(size)
    await hashing
    await store.files.insert({
      id,
      ownerId: scope.ownerId,
      filename: 'big.jsonl',
      purpose: 'batch',
      bytes: size,
      createdAt: Date.now(),
      expiresAt: null,
    })
    const rows = await db.sql.unsafe(
      `select count(*)::int as n, max(length(data))::int as biggest from "${db.schema}".blob_chunks c
       join "${db.schema}".blobs b on b.id = c.blob_id where b.file_id = $1`,
      [id],
    )
    expect(rows[0]).toEqual({ n: Math.ceil(size / (256 * 1024)), biggest: 256 * 1024 })

    const actual = createHash('sha256')
    let largestPiece = 0
    let read = 0
    for await (const piece of (await store.files.read(scope, id))! as unknown as AsyncIterable<Uint8Array>) {
      largestPiece = Math.max(largestPiece, piece.byteLength)
      read += piece.byteLength
      actual.update(piece)
    }
    expect(read).toBe(size)
    expect(actual.digest('hex')).toBe(expected.digest('hex'))
    expect(largestPiece).toBeLessThanOrEqual(256 * 1024)

    // A line-sized range deep in the file costs one small page: exactly its bytes come back.
    const start = 13 * 1024 * 1024 + 777
    const pieces: Uint8Array[] = []
    for await (const piece of (await store.files.read(scope, id, {
      start,
      end: start + 300,
    }))! as unknown as AsyncIterable<Uint8Array>) {
      pieces.push(piece)
    }
    expect(pieces.map((p) => p.byteLength)).toEqual([300])
    expect(pieces[0]![0]).toBe(start % 251)
    // Across a chunk boundary: two pieces, cut to the range.
    const boundary = 5 * 256 * 1024
    const across: number[] = []
    for await (const piece of (await store.files.read(scope, id, {
      start: boundary - 10,
      end: boundary + 20,
    }))! as unknown as AsyncIterable<Uint8Array>) {
      across.push(piece.byteLength)
    }
    expect(across).toEqual([10, 20])

    // A long range from the middle of a chunk (read in pages through COPY when enabled): exact bytes.
    const longStart = 3 * 256 * 1024 + 1_001
    const longEnd = longStart + 5 * 1024 * 1024 + 17
    let longRead = 0
    let mismatch = -1
    for await (const piece of (await store.files.read(scope, id, {
      start: longStart,
      end: longEnd,
    }))! as unknown as AsyncIterable<Uint8Array>) {
      for (let i = 0; i < piece.byteLength && mismatch < 0; i++) {
        if (piece[i] !== (longStart + longRead + i) % 251) mismatch = longStart + longRead + i
      }
      longRead += piece.byteLength
    }
    expect({ longRead, mismatch }).toEqual({ longRead: longEnd - longStart, mismatch: -1 })
  })

  it('keeps its connections usable after many COPY pages, uploads and a failed upload', async () => {
    // One connection: a COPY that left it stuck would hang every query after it. 2 KiB chunks make
    // each COPY page (16 rows) arrive whole in one socket read, over the stream's buffer limit.
    const store = db.store({ chunkBytes: 2 * 1024, connection: { max: 1 } })
    const id = 'file-pages'
    const size = 3 * 1024 * 1024 + 99
    expect(await store.files.writeContent(id, generated(size, 50_000))).toBe(size)
    await store.files.insert({
      id,
      ownerId: scope.ownerId,
      filename: 'p.jsonl',
      purpose: 'batch',
      bytes: size,
      createdAt: Date.now(),
      expiresAt: null,
    })
    for (let round = 0; round < 20; round++) {
      const start = round * 7_919
      let read = 0
      for await (const piece of (await store.files.read(scope, id, {
        start,
        end: start + 600 * 1024,
      }))! as unknown as AsyncIterable<Uint8Array>) {
        read += piece.byteLength
      }
      expect(read).toBe(600 * 1024)
      expect((await store.sql`select 1 as one`)[0]!.one).toBe(1)
    }

    // An upload whose source fails halfway: nothing of it stays, and the connection still works.
    let sent = 0
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1024 * 1024) return controller.error(new Error('client went away'))
        sent += 64 * 1024
        controller.enqueue(new Uint8Array(64 * 1024).fill(7))
      },
    })
    await expect(store.files.writeContent('file-failed', failing)).rejects.toThrow('client went away')
    const left = await store.sql.unsafe(
      `select count(*)::int as n from "${db.schema}".blob_chunks c
       join "${db.schema}".blobs b on b.id = c.blob_id where b.file_id = 'file-failed'`,
    )
    expect(left[0]!.n).toBe(0)
    expect((await store.sql`select 1 as one`)[0]!.one).toBe(1)
  })

  it('survives the database ending a COPY mid-upload (the dead connection is not handed back to the pool)', async () => {
    // One connection: had the reserved COPY connection been released after its socket closed, the
    // next query would throw from a timer inside postgres.js and end the process (postgres#1208).
    const store = db.store({ chunkBytes: 64 * 1024, connection: { max: 1 } })
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown): void => {
      uncaught.push(error)
    }
    process.on('uncaughtException', onUncaught)
    try {
      let sent = 0
      let terminated = false
      const source = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent >= 4 * 1024 * 1024) return controller.close()
          if (sent >= 1024 * 1024 && !terminated) {
            terminated = true
            await db.sql.unsafe(
              `select pg_terminate_backend(pid) from pg_stat_activity
               where datname = current_database() and query like 'COPY%' and pid <> pg_backend_pid()`,
            )
            await new Promise((resolve) => setTimeout(resolve, 100))
          }
          sent += 64 * 1024
          controller.enqueue(new Uint8Array(64 * 1024).fill(3))
        },
      })
      await expect(store.files.writeContent('file-cut', source)).rejects.toThrow()
      expect(terminated).toBe(true)
      let answer: unknown
      for (let attempt = 0; attempt < 50 && answer === undefined; attempt++) {
        answer = await store.sql`select 1 as one`.then(
          (rows) => rows[0]!.one,
          () => new Promise((resolve) => setTimeout(() => resolve(undefined), 100)),
        )
      }
      expect(answer).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(uncaught).toEqual([])
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })

  it('makes an upload the content only if every chunk was stored', async () => {
    const store = db.store({ chunkBytes: 1024 })
    const id = 'file-checked'
    await store.files.writeContent(id, generated(10_000, 3_000))
    const [blob] = await db.sql.unsafe(
      `select id from "${db.schema}".blobs where file_id = $1 and state = 'ready'`,
      [id],
    )
    // Another upload of the same file whose chunk rows went missing is refused; the old content stays.
    const statements = (await import('./statements.ts')).statements(db.schema)
    await db.sql.unsafe(statements.startBlob, ['blob-partial', id])
    await db.sql.unsafe(
      `insert into "${db.schema}".blob_chunks (blob_id, start_offset, data) values ('blob-partial', 0, '\\x0102')`,
    )
    const [result] = await db.sql.unsafe(statements.finishBlob, ['blob-partial', id, 3])
    expect(result!.ready).toBe(0)
    const ready = await db.sql.unsafe(
      `select id from "${db.schema}".blobs where file_id = $1 and state = 'ready'`,
      [id],
    )
    expect(ready.map((r) => r.id)).toEqual([blob!.id])
  })

  it('replaces content on rewrite and drops uploads abandoned by a crashed process', async () => {
    const store = db.store({ chunkBytes: 1024 })
    const id = 'file-rewritten'
    await store.files.writeContent(id, generated(5000, 700))
    await store.files.writeContent(id, generated(3000, 700))
    await store.files.insert({
      id,
      ownerId: scope.ownerId,
      filename: 'r.jsonl',
      purpose: 'batch_output',
      bytes: 3000,
      createdAt: Date.now(),
      expiresAt: null,
    })
    const blobs = await db.sql.unsafe(`select state, bytes from "${db.schema}".blobs where file_id = $1`, [
      id,
    ])
    expect(blobs.map((b) => [b.state, Number(b.bytes)])).toEqual([['ready', 3000]])

    // An upload whose process died: its rows stay invisible, and the sweeper removes them.
    await db.sql.unsafe(
      `insert into "${db.schema}".blobs (id, file_id, state, created_at) values ('blob-dead', 'file-dead', 'writing', now() - interval '2 days')`,
    )
    await db.sql.unsafe(
      `insert into "${db.schema}".blob_chunks (blob_id, start_offset, data) values ('blob-dead', 0, '\\x00')`,
    )
    expect(await store.dropAbandonedUploads()).toBe(1)
    const left = await db.sql.unsafe(
      `select count(*)::int as n from "${db.schema}".blob_chunks where blob_id = 'blob-dead'`,
    )
    expect(left[0]!.n).toBe(0)
  })
})
