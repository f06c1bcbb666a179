import type { Readable } from 'node:stream'
import { type ByteRange, clampRange } from '@batchkit/core/store'
import type { StoreContext } from './context.ts'
import { readSingleColumn } from './copy-binary.ts'

/** Chunk rows per page of a small read (one query). */
const rowsPerQueryPage = 4
/** Chunk rows per page of a read through COPY (16 × 256 KiB = 4 MiB by default). */
const rowsPerCopyPage = 16
/** Ranges at least this long are read through COPY (when enabled); shorter ones with one query. */
const copyReadMinBytes = 512 * 1024

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
  if (asked !== null && asked.end - asked.start < copyReadMinBytes) {
    // A short range (a claimed slice of lines): the lookup and its first page in one round trip.
    const rows = await ctx.run(st.readFirstChunks, [
      fileId,
      ownerId,
      asked.start,
      asked.end,
      rowsPerQueryPage,
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
    const rows = await ctx.run(st.readChunks, [blobId, position, end, rowsPerQueryPage])
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
