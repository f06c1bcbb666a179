import type { ByteRange } from '@batchkit/core'
import { BatchkitError, randomHex } from '@batchkit/core'
import type { StoreContext } from './context.ts'

/** Chunk rows per INSERT, and per page when reading. */
const rowsPerStatement = 4

/**
 * Streams `content` into a new blob of file `fileId` and makes it the file's content once complete.
 *
 * Bytes are cut into chunks of `ctx.chunkBytes` and inserted a few rows per statement while the
 * next ones arrive (one insert in flight at a time), so memory stays at a few chunks whatever the
 * size. Past `maxBytes` the upload stops with `file_too_large`; on any failure the blob is dropped,
 * so nothing of it is ever visible. Returns the byte count.
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
  let segment = new Uint8Array(chunkBytes)
  let fill = 0
  let written = 0
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

  const cut = (): void => {
    pending.push({ offset: written, data: fill === chunkBytes ? segment : segment.subarray(0, fill) })
    written += fill
    segment = new Uint8Array(chunkBytes)
    fill = 0
  }

  try {
    const total = await pumpLimited(content, maxBytes, async (chunk) => {
      let at = 0
      while (at < chunk.byteLength) {
        const take = Math.min(chunk.byteLength - at, chunkBytes - fill)
        segment.set(chunk.subarray(at, at + take), fill)
        fill += take
        at += take
        if (fill === chunkBytes) {
          cut()
          if (pending.length >= rowsPerStatement) await flush()
        }
      }
    })
    if (fill > 0) cut()
    await flush()
    await inFlight
    await ctx.run(st.finishBlob, [blobId, fileId, total])
    return total
  } catch (error) {
    await inFlight.catch(() => undefined)
    await ctx.run(st.dropBlob, [blobId]).catch(() => undefined)
    throw error
  }
}

/**
 * Streams the content of file `fileId` of `ownerId` (all of it, or `range`), or null when the file is
 * unknown to that owner or its content was purged. Each pull fetches the next few chunks of the
 * range, cut to it by the database, so neither memory nor a query result ever holds the whole file.
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
  const [blob] = await ctx.run(st.findBlob, [fileId, ownerId])
  if (blob === undefined) return null
  const blobId = blob.id as string
  const { start, end } = clampRange(range, Number(blob.bytes))
  let position = start
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (position >= end) return controller.close()
        const rows = await ctx.run(st.readChunks, [blobId, position, end, rowsPerStatement])
        if (rows.length === 0) {
          return controller.error(new Error(`The content of file ${fileId} was removed while being read.`))
        }
        for (const row of rows) {
          const data = bytesOf(row.data)
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
