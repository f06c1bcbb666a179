/// <reference types="node" />
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { clampRange, pumpLimited, randomHex } from '@batchkit/core/store'
import type { BlobStore } from './blob-store.ts'

export type { BlobStore } from './blob-store.ts'

/**
 * Most bytes read from disk per pull of a read stream. Every read is a round trip to libuv's thread pool,
 * so large reads matter: a 200 MB file in 64 KiB reads spent most of its time waiting on 3,000 of them.
 */
const readChunkBytes = 1024 * 1024

/** Incoming chunks (about 64 KiB from a socket) are gathered into writes of at least this many bytes. */
const writeBatchBytes = 1024 * 1024

/**
 * Keeps file content on disk, one file per id under `dir` (created on first write), so large uploads
 * never sit in process memory. Node-only: import it from `@batchkit/store-memory/fs`.
 *
 * A write goes to a temporary file that is renamed into place once complete, so a failed or oversized
 * upload leaves nothing behind. Reads open the file first (so a later delete does not break a reader)
 * and read the requested range as the consumer pulls.
 *
 * @example
 * import { memoryStore } from '@batchkit/store-memory'
 * import { fsBlobs } from '@batchkit/store-memory/fs'
 * const store = memoryStore({ blobs: fsBlobs('/var/lib/batchkit/files') })
 */
export function fsBlobs(dir: string): BlobStore {
  let ready: Promise<unknown> | undefined
  const pathOf = (id: string): string => join(dir, fileName(id))

  return {
    async write(id, content, maxBytes = Number.POSITIVE_INFINITY) {
      ready ??= mkdir(dir, { recursive: true })
      await ready
      const temp = join(dir, `.${fileName(id)}.${randomHex(6)}.tmp`)
      const handle = await open(temp, 'wx')
      let closed = false
      let committed = false
      try {
        // Gather chunks into ~1 MiB writes (one thread-pool round trip each instead of one per chunk),
        // and keep one write in flight while the next batch is gathered, so reading never waits on disk.
        let gathered: Uint8Array[] = []
        let gatheredBytes = 0
        let writing: Promise<void> = Promise.resolve()
        const bytes = await pumpLimited(content, maxBytes, (chunk) => {
          gathered.push(chunk)
          gatheredBytes += chunk.byteLength
          if (gatheredBytes < writeBatchBytes) return
          const batch = gathered
          gathered = []
          gatheredBytes = 0
          const previous = writing
          writing = previous.then(() => writeAll(handle, batch))
          writing.catch(() => undefined) // awaited below, or superseded by the error that stopped reading
          return previous
        })
        await writing
        await writeAll(handle, gathered)
        closed = true
        await handle.close()
        await rename(temp, pathOf(id))
        committed = true
        return bytes
      } finally {
        if (!closed) await handle.close().catch(() => undefined)
        if (!committed) await rm(temp, { force: true }).catch(() => undefined)
      }
    },

    async read(id, range) {
      let handle: FileHandle
      try {
        handle = await open(pathOf(id), 'r')
      } catch (error) {
        if (isNotFound(error)) return null
        throw error
      }
      try {
        const { size } = await handle.stat()
        return streamFile(handle, clampRange(range, size))
      } catch (error) {
        await handle.close().catch(() => undefined)
        throw error
      }
    },

    async delete(id) {
      await rm(pathOf(id), { force: true })
    },
  }
}

/** Writes all of `chunks`, in order, with one `writev` (repeated only when the kernel took part of them). */
async function writeAll(handle: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks.filter((chunk) => chunk.byteLength > 0)
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending)
    const rest: Uint8Array[] = []
    for (const chunk of pending) {
      if (bytesWritten >= chunk.byteLength) bytesWritten -= chunk.byteLength
      else {
        rest.push(bytesWritten > 0 ? chunk.subarray(bytesWritten) : chunk)
        bytesWritten = 0
      }
    }
    pending = rest
  }
}

/** A pull-driven stream of `[start, end)` of an open file; closes the file when done or cancelled. */
function streamFile(
  handle: FileHandle,
  { start, end }: { start: number; end: number },
): ReadableStream<Uint8Array> {
  let position = start
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await handle.close().catch(() => undefined)
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (position >= end) {
          await close()
          controller.close()
          return
        }
        const length = Math.min(readChunkBytes, end - position)
        // Not zero-filled: zeroing each fresh 1 MiB buffer cost about a quarter of reading from the page
        // cache. Handed on as a plain Uint8Array (a Buffer's `slice` does not copy), and copied when the
        // read came up short, so no uninitialised byte is ever reachable through the chunk's `buffer`.
        const buffer = Buffer.allocUnsafeSlow(length)
        const { bytesRead } = await handle.read(buffer, 0, length, position)
        if (bytesRead === 0) {
          await close()
          controller.close()
          return
        }
        position += bytesRead
        controller.enqueue(
          bytesRead === length
            ? new Uint8Array(buffer.buffer, buffer.byteOffset, length)
            : new Uint8Array(buffer.subarray(0, bytesRead)),
        )
      } catch (error) {
        await close()
        controller.error(error)
      }
    },
    cancel: close,
  })
}

/**
 * A file name for `id` that cannot escape `dir` and never starts with a dot (temporary files do):
 * `encodeURIComponent` plus escaping of the characters it leaves alone besides `[A-Za-z0-9_-]`
 * (injective, since `%` itself is escaped; the empty id maps to a lone `%`, which no other id yields).
 */
function fileName(id: string): string {
  if (id === '') return '%'
  return encodeURIComponent(id).replace(
    /[.!~*'()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}
