import type { Writable } from 'node:stream'
import type { ReservedSql } from 'postgres'
import type { ChunkSink } from './chunk-sink.ts'
import type { StoreContext } from './context.ts'
import { blobIdBytes, chunkRowHead, copyHeader, copyTrailer } from './copy-binary.ts'
import { releaseReserved, usableAfter } from './reserved-connection.ts'

/**
 * When a COPY segment of an upload ends (and commits): at this many bytes, at this age, or when the
 * upload sends nothing for this long. Each segment is one statement and one transaction: short ones
 * keep a slow client from holding a connection and an open transaction, long ones cost fewer commits
 * and fewer round trips.
 */
const segment = { maxBytes: 64 * 1024 * 1024, maxMs: 1_000, idleMs: 50 }

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
 *
 * @example
 * const sink = copyChunkSink(ctx, 'blob-1')
 */
export function copyChunkSink(ctx: StoreContext, blobId: string): ChunkSink {
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
      releaseReserved(conn, error)
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
    let failure: unknown
    try {
      if (seg.failed) throw seg.failed
      // Once the trailer is handed to the socket, nothing is pending and `end()` sends CopyDone at
      // once; the next query on this connection is answered after the COPY completed (or failed).
      await new Promise<void>((resolve, reject) =>
        seg.stream.write(copyTrailer, (error) => (error ? reject(error) : resolve())),
      )
      seg.stream.end()
      if (seg.failed) throw seg.failed
      const [row] = await afterCopy(() => seg.conn.unsafe(st.countChunks, [blobId, seg.first, seg.end]))
      if (seg.failed) throw seg.failed
      if (row?.n !== seg.rows || Number(row.bytes) !== seg.bytes) {
        throw new Error(
          `Storing file content failed: ${seg.rows} chunks (${seg.bytes} bytes) sent, ${row?.n ?? 0} stored.`,
        )
      }
    } catch (error) {
      failure = error
      throw error
    } finally {
      releaseReserved(seg.conn, failure ?? seg.failed)
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
        // Any query after it is answered once the server left COPY mode. A connection that is gone
        // takes no query at all (postgres.js would throw from a timer).
        let failure: unknown = seg.failed
        if (usableAfter(failure)) {
          await afterCopy(() => seg.conn.unsafe('SELECT 1')).catch((error: unknown) => {
            failure = error
          })
        }
        releaseReserved(seg.conn, failure)
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
