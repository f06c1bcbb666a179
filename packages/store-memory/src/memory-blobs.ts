import { type ByteRange, clampRange, pumpLimited } from '@batchkit/core/store'
import type { BlobStore } from './blob-store.ts'

/** Small chunks are coalesced into segments of this size, so a stream of tiny chunks stays compact. */
const segmentBytes = 64 * 1024

/** One stored content: immutable segments and the byte offset where each starts. */
interface Blob {
  segments: Uint8Array[]
  offsets: number[]
  size: number
}

/**
 * Keeps file content in process memory, as the chunks that arrived (copied, small ones coalesced into
 * 64 KiB segments). Range reads binary-search the segments and copy one segment at a time as the
 * reader pulls, never the whole file.
 *
 * @example
 * const store = memoryStore({ blobs: memoryBlobs() })
 */
export function memoryBlobs(): BlobStore {
  const blobs = new Map<string, Blob>()

  return {
    async write(id, content, maxBytes = Number.POSITIVE_INFINITY) {
      const blob: Blob = { segments: [], offsets: [], size: 0 }
      let pending: Uint8Array | null = null
      let pendingBytes = 0
      const pushSegment = (segment: Uint8Array): void => {
        blob.offsets.push(blob.size)
        blob.segments.push(segment)
        blob.size += segment.byteLength
      }
      const flush = (): void => {
        if (pending === null || pendingBytes === 0) return
        pushSegment(pendingBytes === pending.byteLength ? pending : pending.slice(0, pendingBytes))
        pending = null
        pendingBytes = 0
      }
      await pumpLimited(content, maxBytes, (chunk) => {
        if (chunk.byteLength >= segmentBytes) {
          flush()
          pushSegment(chunk.slice())
          return
        }
        if (pending !== null && pendingBytes + chunk.byteLength > segmentBytes) flush()
        pending ??= new Uint8Array(segmentBytes)
        pending.set(chunk, pendingBytes)
        pendingBytes += chunk.byteLength
      })
      flush()
      blobs.set(id, blob)
      return blob.size
    },

    async read(id, range) {
      const blob = blobs.get(id)
      return blob === undefined ? null : streamRange(blob, range)
    },

    async delete(id) {
      blobs.delete(id)
    },
  }
}

/** Streams `range` of `blob`, one segment (or part of one) per pull. */
function streamRange(blob: Blob, range: ByteRange | undefined): ReadableStream<Uint8Array> {
  const { start, end } = clampRange(range, blob.size)
  const { segments, offsets } = blob
  let position = start
  let i = segmentAt(offsets, start)
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const segment = segments[i]
      const segmentStart = offsets[i]
      if (position >= end || segment === undefined || segmentStart === undefined) {
        controller.close()
        return
      }
      const to = Math.min(segment.byteLength, end - segmentStart)
      controller.enqueue(segment.slice(position - segmentStart, to))
      position = segmentStart + to
      i++
    },
  })
}

/** Index of the segment holding byte `offset`: the last one starting at or before it. */
function segmentAt(offsets: readonly number[], offset: number): number {
  let low = 0
  let high = offsets.length - 1
  let found = 0
  while (low <= high) {
    const mid = (low + high) >> 1
    if (offsets[mid]! <= offset) {
      found = mid
      low = mid + 1
    } else {
      high = mid - 1
    }
  }
  return found
}
