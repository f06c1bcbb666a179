/** Most requests in one Anthropic message batch. */
export const maxBatchRequests = 100_000
/** Most bytes of one message batch's create body (256 MB), less room for the envelope. */
export const maxBatchBytes = 256 * 1024 * 1024 - 1024

/**
 * Splits serialized batch requests into create bodies of at most `maxRequests` requests and
 * `maxBytes` bytes each.
 *
 * @example
 * chunkRequests(['{…}', '{…}'], 1) // [['{…}'], ['{…}']]
 */
export function chunkRequests(
  requests: readonly string[],
  maxRequests: number = maxBatchRequests,
  maxBytes: number = maxBatchBytes,
): string[][] {
  const chunks: string[][] = []
  let current: string[] = []
  let bytes = 0
  const encoder = new TextEncoder()
  for (const request of requests) {
    const size = encoder.encode(request).length + 1
    if (current.length > 0 && (current.length >= maxRequests || bytes + size > maxBytes)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(request)
    bytes += size
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}
