/**
 * Reads a stream to its end, keeping at most `maxBytes`. Past the cap it cancels the stream with the
 * error from `tooLarge()` and throws that error, so a client can never make the server buffer more.
 *
 * @example
 * const bytes = await readBounded(request.body, 1 << 20, () => new BatchkitError('file_too_large', 'Too large'))
 */
export async function readBounded(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      const error = tooLarge()
      await reader.cancel(error).catch(() => undefined)
      throw error
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * {@link readBounded} decoded as UTF-8 (invalid sequences become U+FFFD).
 *
 * @example
 * const purpose = await readBoundedText(part.body, 64 * 1024, () => new BatchkitError('invalid_request', 'Too long'))
 */
export async function readBoundedText(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<string> {
  return new TextDecoder().decode(await readBounded(stream, maxBytes, tooLarge))
}

/**
 * The `content-length` header as a non-negative integer, or `undefined` when absent or malformed.
 *
 * @example
 * declaredLength(new Headers({ 'content-length': '42' })) // 42
 */
export function declaredLength(headers: Headers): number | undefined {
  const value = headers.get('content-length')?.trim()
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  const length = Number(value)
  return Number.isSafeInteger(length) ? length : Number.POSITIVE_INFINITY
}
