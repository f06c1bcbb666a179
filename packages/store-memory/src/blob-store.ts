import type { ByteRange } from '@batchkit/core/store'

/**
 * Where a store keeps file content. Content arrives and leaves as streams, so a blob store decides
 * how much of a file sits in memory.
 *
 * @example
 * const blobs: BlobStore = memoryBlobs()
 * const bytes = await blobs.write('file-1', request.body!, 200 * 1024 * 1024)
 */
export interface BlobStore {
  /**
   * Streams `content` under `id`, reading chunk by chunk (backpressure), and returns the byte count.
   * Past `maxBytes` it stops reading, cancels `content` and throws `BatchkitError('file_too_large')`;
   * on any failure nothing new is kept under `id`.
   */
  write(id: string, content: ReadableStream<Uint8Array>, maxBytes?: number): Promise<number>
  /** Streams the content (or the half-open `range` of it, clamped to the size); null when there is none. */
  read(id: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null>
  /** Drops the content. Idempotent. */
  delete(id: string): Promise<void>
}
