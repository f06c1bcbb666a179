import type { ByteRange } from '../contracts/store.ts'
import { BatchkitError } from '../errors.ts'

// Helpers for Store implementations: file content arrives as a stream with a size limit, and leaves
// by byte range.

/**
 * Reads `content` chunk by chunk into `sink`, awaiting it before the next read, and fails with
 * `file_too_large` (cancelling `content`) as soon as more than `maxBytes` arrived. Returns the byte count.
 *
 * @example
 * const bytes = await pumpLimited(stream, 1024, (chunk) => { parts.push(chunk) })
 */
export async function pumpLimited(
  content: ReadableStream<Uint8Array>,
  maxBytes: number,
  sink: (chunk: Uint8Array) => void | Promise<void>,
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
      if (total > maxBytes) throw fileTooLarge(maxBytes)
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
 * The error of content past `maxBytes`.
 *
 * @example
 * throw fileTooLarge(512 * 1024 * 1024)
 */
export function fileTooLarge(maxBytes: number): BatchkitError {
  return new BatchkitError('file_too_large', `File exceeds the maximum size of ${maxBytes} bytes.`, {
    param: 'file',
  })
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
