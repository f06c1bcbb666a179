import { pumpLimited, randomHex } from '@batchkit/core/store'
import type { StoreContext } from './context.ts'
import { copyChunkSink } from './copy-chunk-sink.ts'
import { insertChunkSink } from './insert-chunk-sink.ts'

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
