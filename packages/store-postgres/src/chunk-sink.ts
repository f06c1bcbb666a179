/**
 * Where {@link writeContent} puts the chunks it cuts: {@link copyChunkSink} (binary COPY) or
 * {@link insertChunkSink} (multi-row INSERTs).
 *
 * @example
 * const sink: ChunkSink = ctx.copy ? copyChunkSink(ctx, blobId) : insertChunkSink(ctx, blobId)
 */
export interface ChunkSink {
  /** Stores (or starts storing) one chunk; resolves when the sink can take the next one. */
  put(offset: number, data: Uint8Array): Promise<void>
  /** Resolves once every chunk put is stored; rejects if any was not. */
  finish(): Promise<void>
  /** Stops whatever is in flight; never rejects. */
  abort(reason: unknown): Promise<void>
}
