import type { Readable, Writable } from 'node:stream'
import type { ByteRange } from '@batchkit/core'
import { BatchkitError, randomHex } from '@batchkit/core'
import type { ReservedSql } from 'postgres'
import type { StoreContext } from './context.ts'
import { blobIdBytes, chunkRowHead, copyHeader, copyTrailer, readSingleColumn } from './copy-binary.ts'

/** Chunk rows per INSERT, and per page of a small read. */
const rowsPerStatement = 4
/** Chunk rows per page of a read through COPY (16 × 256 KiB = 4 MiB by default). */
const rowsPerCopyPage = 16
/** Ranges at least this long are read through COPY (when enabled); shorter ones with one query. */
const copyReadMinBytes = 512 * 1024

/**
 * When a COPY segment of an upload ends (and commits): at this many bytes, at this age, or when the
 * upload sends nothing for this long. Each segment is one statement and one transaction: short ones
 * keep a slow client from holding a connection and an open transaction, long ones cost fewer commits
 * and fewer round trips.
 */
const segment = { maxBytes: 64 * 1024 * 1024, maxMs: 1_000, idleMs: 50 }

/**
 * Streams `content` into a new blob of file `fileId` and makes it the file's content once complete.
 *
 * Bytes are cut into chunks of `ctx.chunkBytes` and stored while the next ones arrive: through binary
 * `COPY` (default; see {@link copyChunkSink}) or, with `copy: false`, a few rows per INSERT. Memory
 * stays at a few chunks whatever the size. Past `maxBytes` the upload stops with `file_too_large`; on
 * any failure the blob is dropped, so nothing of it is ever visible. The blob only becomes the file's
 * content if the stored chunks add up to exactly the bytes received. Returns the byte count.
 *
 * @example
 * const bytes = await writeContent(ctx, 'file-1', request.body!, 200 * 1024 * 1024)
 */
export async function writeContent(
  ctx: StoreContext,
  fileId: string,
  content: ReadableStream<Uint8Array>,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<number> {
  const { statements: st, chunkBytes } = ctx
  const blobId = `blob-${randomHex(12)}`
  await ctx.run(st.startBlob, [blobId, fileId])
  const sink = ctx.copy ? copyChunkSink(ctx, blobId) : insertChunkSink(ctx, blobId)
  let segmentBuffer = new Uint8Array(chunkBytes)
  let fill = 0
  let written = 0

  const cut = async (): Promise<void> => {
    const data = fill === chunkBytes ? segmentBuffer : segmentBuffer.subarray(0, fill)
    const offset = written
    written += fill
    segmentBuffer = new Uint8Array(chunkBytes)
    fill = 0
    await sink.put(offset, data)
  }

  try {
    const total = await pumpLimited(content, maxBytes, async (chunk) => {
      let at = 0
      while (at < chunk.byteLength) {
        const take = Math.min(chunk.byteLength - at, chunkBytes - fill)
        segmentBuffer.set(chunk.subarray(at, at + take), fill)
        fill += take
        at += take
        if (fill === chunkBytes) await cut()
      }
    })
    if (fill > 0) await cut()
    await sink.finish()
    const [row] = await ctx.run(st.finishBlob, [blobId, fileId, total])
    if (row?.ready !== 1) throw new Error(`The content of file ${fileId} was not stored completely.`)
    return total
  } catch (error) {
    await sink.abort(error)
    await ctx.run(st.dropBlob, [blobId]).catch(() => undefined)
    throw error
  }
}

/** Where {@link writeContent} puts the chunks it cuts. */
interface ChunkSink {
  /** Stores (or starts storing) one chunk; resolves when the sink can take the next one. */
  put(offset: number, data: Uint8Array): Promise<void>
  /** Resolves once every chunk put is stored; rejects if any was not. */
  finish(): Promise<void>
  /** Stops whatever is in flight; never rejects. */
  abort(reason: unknown): Promise<void>
}

/**
 * Chunks as multi-row INSERTs (`rowsPerStatement` rows each, one statement in flight). `bytea`
 * parameters travel as hex text: for proxies that cannot forward COPY.
 */
function insertChunkSink(ctx: StoreContext, blobId: string): ChunkSink {
  const { statements: st } = ctx
  let pending: { offset: number; data: Uint8Array }[] = []
  let inFlight: Promise<unknown> = Promise.resolve()
  const flush = async (): Promise<void> => {
    await inFlight
    if (pending.length === 0) return
    const rows = pending
    pending = []
    const params: unknown[] = [blobId]
    for (const row of rows) params.push(row.offset, row.data)
    inFlight = ctx.run(st.insertChunks(rows.length), params)
    // Surfaced by the next `await inFlight`; never an unhandled rejection in between.
    inFlight.catch(() => undefined)
  }
  return {
    async put(offset, data) {
      pending.push({ offset, data })
      if (pending.length >= rowsPerStatement) await flush()
    },
    async finish() {
      await flush()
      await inFlight
    },
    async abort() {
      await inFlight.catch(() => undefined)
    },
  }
}

/** One open `COPY … FROM STDIN` of an upload, on a connection of its own. */
interface CopySegment {
  readonly conn: ReservedSql
  readonly stream: Writable
  readonly first: number
  readonly startedAt: number
  end: number
  rows: number
  bytes: number
  failed: unknown
  idle: ReturnType<typeof setTimeout> | null
}

/**
 * Chunks through binary `COPY … FROM STDIN`: the bytes travel as they are, and the server stores
 * a whole segment of rows in one statement. A segment stays open while chunks keep coming (see
 * {@link segment}); it is then ended, and a count of its rows in the same connection — answered only
 * after the COPY finished — checks that every row arrived. Up to two segments are in flight: one
 * taking rows and one finishing, so the server's final acknowledgement of a COPY never stalls the
 * upload. Backpressure reaches the upload's stream: a chunk is taken once the previous one is on its
 * way to the server.
 */
function copyChunkSink(ctx: StoreContext, blobId: string): ChunkSink {
  const { statements: st } = ctx
  const idBytes = blobIdBytes(blobId)
  let open: CopySegment | null = null
  const closing = new Set<Promise<void>>()
  let failure: unknown = null
  let aborted = false

  const openSegment = async (first: number): Promise<CopySegment> => {
    const conn = await ctx.sql.reserve()
    let stream: Writable
    try {
      stream = await conn.unsafe(st.copyChunksIn).writable()
    } catch (error) {
      conn.release()
      throw error
    }
    const opened: CopySegment = {
      conn,
      stream,
      first,
      startedAt: Date.now(),
      end: first,
      rows: 0,
      bytes: 0,
      failed: null,
      idle: null,
    }
    stream.on('error', (error) => {
      opened.failed ??= error
    })
    stream.write(copyHeader)
    return opened
  }

  /** Ends `seg`'s COPY and checks what the server stored; releases its connection. */
  const finishSegment = async (seg: CopySegment): Promise<void> => {
    try {
      if (seg.failed) throw seg.failed
      // Once the trailer is handed to the socket, nothing is pending and `end()` sends CopyDone at
      // once; the next query on this connection is answered after the COPY completed (or failed).
      await new Promise<void>((resolve, reject) =>
        seg.stream.write(copyTrailer, (error) => (error ? reject(error) : resolve())),
      )
      seg.stream.end()
      const [row] = await afterCopy(() => seg.conn.unsafe(st.countChunks, [blobId, seg.first, seg.end]))
      if (seg.failed) throw seg.failed
      if (row?.n !== seg.rows || Number(row.bytes) !== seg.bytes) {
        throw new Error(
          `Storing file content failed: ${seg.rows} chunks (${seg.bytes} bytes) sent, ${row?.n ?? 0} stored.`,
        )
      }
    } finally {
      seg.conn.release()
    }
  }

  const close = (): void => {
    const seg = open
    if (seg === null) return
    open = null
    if (seg.idle !== null) clearTimeout(seg.idle)
    const done: Promise<void> = finishSegment(seg).then(
      () => {
        closing.delete(done)
      },
      (error: unknown) => {
        closing.delete(done)
        failure ??= error
      },
    )
    closing.add(done)
  }

  const drained = (seg: CopySegment): Promise<void> =>
    new Promise<void>((resolve) => {
      if (seg.stream.destroyed || !seg.stream.writableNeedDrain) return resolve()
      const done = (): void => {
        seg.stream.off('drain', done)
        seg.stream.off('close', done)
        seg.stream.off('error', done)
        resolve()
      }
      seg.stream.on('drain', done)
      seg.stream.on('close', done)
      seg.stream.on('error', done)
    })

  return {
    async put(offset, data) {
      if (failure) throw failure
      if (open === null) {
        // At most one segment finishing while the next one fills.
        while (closing.size > 1) await Promise.race(closing)
        if (failure) throw failure
        open = await openSegment(offset)
      }
      const seg = open
      if (seg.idle !== null) clearTimeout(seg.idle)
      seg.idle = null
      if (seg.failed) throw seg.failed
      seg.stream.write(chunkRowHead(idBytes, offset, data.byteLength))
      const ok = seg.stream.write(data)
      seg.rows++
      seg.bytes += data.byteLength
      seg.end = offset + data.byteLength
      if (!ok) await drained(seg)
      if (seg.failed) throw seg.failed
      if (seg !== open) return
      if (seg.bytes >= segment.maxBytes || Date.now() - seg.startedAt >= segment.maxMs) close()
      else seg.idle = setTimeout(close, segment.idleMs)
    },
    async finish() {
      close()
      while (closing.size > 0) await Promise.race(closing)
      if (failure) throw failure
    },
    async abort(reason) {
      if (aborted) return
      aborted = true
      const seg = open
      open = null
      if (seg !== null) {
        if (seg.idle !== null) clearTimeout(seg.idle)
        // Destroying the stream sends CopyFail: the server rolls the segment back.
        seg.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)))
        // Any query after it is answered once the server left COPY mode.
        await afterCopy(() => seg.conn.unsafe('SELECT 1')).catch(() => undefined)
        seg.conn.release()
      }
      await Promise.allSettled([...closing])
    },
  }
}

/**
 * Runs `query` on a connection whose COPY was just ended: postgres.js refuses queries until it has
 * sent CopyDone (which it does as soon as no write is pending), so this retries that refusal a few
 * times, a tick apart.
 */
async function afterCopy<T>(query: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await query()
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'COPY_IN_PROGRESS' || attempt >= 100) throw error
      await new Promise((resolve) => setTimeout(resolve, attempt < 10 ? 0 : 10))
    }
  }
}

/**
 * Streams the content of file `fileId` of `ownerId` (all of it, or `range`), or null when the file is
 * unknown to that owner or its content was purged. Each pull fetches the next page of the range, cut
 * to it by the database, so neither memory nor a query result ever holds the whole file: a few chunks
 * per query for short ranges, 4 MiB pages through binary `COPY … TO STDOUT` for long ones (raw bytes
 * instead of hex text).
 *
 * @example
 * const stream = await readContent(ctx, 'file-1', 'owner', { start: 100, end: 180 })
 */
export async function readContent(
  ctx: StoreContext,
  fileId: string,
  ownerId: string,
  range?: ByteRange,
): Promise<ReadableStream<Uint8Array> | null> {
  const { statements: st } = ctx
  // The range as asked, before the content's size is known (`clampRange` finishes the job).
  const bound = (n: number): number =>
    Number.isFinite(n) ? Math.max(Math.trunc(n), 0) : Number.MAX_SAFE_INTEGER
  const asked = range === undefined ? null : { start: bound(range.start), end: bound(range.end) }
  let blobId: string
  let start: number
  let end: number
  let first: Uint8Array[] = []
  const prefetched = asked === null ? null : ctx.prefetch.take(fileId, ownerId, asked.start, asked.end)
  if (prefetched !== null) return singleChunk(prefetched)
  if (asked !== null && asked.end - asked.start < copyReadMinBytes) {
    // A short range (a claimed slice of lines): the lookup and its first page in one round trip.
    const rows = await ctx.run(st.readFirstChunks, [
      fileId,
      ownerId,
      asked.start,
      asked.end,
      rowsPerStatement,
    ])
    if (rows.length === 0) return null
    blobId = rows[0]!.id as string
    ;({ start, end } = clampRange(asked, Number(rows[0]!.bytes)))
    first = rows.flatMap((row) => (row.data === null ? [] : [bytesOf(row.data)]))
  } else {
    const [blob] = await ctx.run(st.findBlob, [fileId, ownerId])
    if (blob === undefined) return null
    blobId = blob.id as string
    ;({ start, end } = clampRange(range, Number(blob.bytes)))
  }
  const viaCopy = ctx.copy && end - start >= copyReadMinBytes
  let position = start
  const page = async (): Promise<Uint8Array[]> => {
    if (first.length > 0) {
      const taken = first
      first = []
      return taken
    }
    if (viaCopy) return copyPage(ctx, st.copyChunksOut(blobId, position, end, rowsPerCopyPage))
    const rows = await ctx.run(st.readChunks, [blobId, position, end, rowsPerStatement])
    return rows.map((row) => bytesOf(row.data))
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (position >= end) return controller.close()
        const pieces = await page()
        if (pieces.length === 0) {
          return controller.error(new Error(`The content of file ${fileId} was removed while being read.`))
        }
        for (const data of pieces) {
          if (data.byteLength === 0) continue
          position += data.byteLength
          controller.enqueue(data)
        }
        if (position >= end) controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}

/** A stream of one chunk. */
function singleChunk(data: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data)
      controller.close()
    },
  })
}

/** Runs a `COPY (…) TO STDOUT (FORMAT binary)` of one `bytea` column and returns its values. */
async function copyPage(ctx: StoreContext, text: string): Promise<Uint8Array[]> {
  const stream: Readable = await ctx.sql.unsafe(text).readable()
  const parts: Uint8Array[] = []
  let size = 0
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (part: Uint8Array) => {
      parts.push(part)
      size += part.byteLength
    })
    stream.once('end', resolve)
    stream.once('error', reject)
  })
  resumeAfterCopyOut(stream)
  if (parts.length === 1) return readSingleColumn(parts[0]!)
  const all = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    all.set(part, at)
    at += part.byteLength
  }
  return readSingleColumn(all)
}

/**
 * postgres.js pauses the connection's socket when a COPY stream's buffer is full and resumes it when
 * the stream is read again. If the stream ends while the socket is paused (the last row filled the
 * buffer, and the end of the COPY arrived in the same read), nothing reads the stream again, the
 * socket stays paused and the connection hangs on its next query
 * (https://github.com/porsager/postgres/pull/1016). Asking the ended stream to read once resumes it.
 */
function resumeAfterCopyOut(stream: Readable): void {
  const read = (stream as unknown as { _read?: (size: number) => void })._read
  if (typeof read === 'function') read.call(stream, 0)
}

/** A plain `Uint8Array` view of a driver value (Node's `Buffer` is a subclass; keep callers on the base). */
function bytesOf(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('Expected bytea content from the driver.')
  return value.constructor === Uint8Array
    ? value
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}

/**
 * Reads `content` chunk by chunk into `sink`, awaiting it before the next read, and fails with
 * `file_too_large` (cancelling `content`) as soon as more than `maxBytes` arrived. Returns the byte count.
 *
 * @example
 * const bytes = await pumpLimited(stream, 1024, async (chunk) => save(chunk))
 */
export async function pumpLimited(
  content: ReadableStream<Uint8Array>,
  maxBytes: number,
  sink: (chunk: Uint8Array) => Promise<void>,
): Promise<number> {
  const reader = content.getReader()
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return total
      if (!(value instanceof Uint8Array))
        throw new TypeError('File content must be a stream of Uint8Array chunks.')
      total += value.byteLength
      if (total > maxBytes) {
        throw new BatchkitError('file_too_large', `File exceeds the maximum size of ${maxBytes} bytes.`, {
          param: 'file',
        })
      }
      if (value.byteLength > 0) await sink(value)
    }
  } catch (error) {
    await reader.cancel(error).catch(() => undefined)
    throw error
  } finally {
    reader.releaseLock()
  }
}

/**
 * Clamps `range` to `[0, size]`; an inverted range becomes empty.
 *
 * @example
 * clampRange({ start: 5, end: 99 }, 10) // { start: 5, end: 10 }
 */
export function clampRange(range: ByteRange | undefined, size: number): ByteRange {
  const clamp = (n: number): number =>
    Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), size) : size
  const start = range === undefined ? 0 : clamp(range.start)
  const end = range === undefined ? size : clamp(range.end)
  return { start, end: Math.max(start, end) }
}
