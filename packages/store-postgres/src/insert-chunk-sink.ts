import type { ChunkSink } from './chunk-sink.ts'
import type { StoreContext } from './context.ts'

/** Chunk rows per INSERT. */
const rowsPerInsert = 4

/**
 * Chunks as multi-row INSERTs (`rowsPerInsert` rows each, one statement in flight). `bytea`
 * parameters travel as hex text: for proxies that cannot forward COPY.
 *
 * @example
 * const sink = insertChunkSink(ctx, 'blob-1')
 */
export function insertChunkSink(ctx: StoreContext, blobId: string): ChunkSink {
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
      if (pending.length >= rowsPerInsert) await flush()
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
