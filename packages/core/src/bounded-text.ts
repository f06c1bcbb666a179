/** Default cap on one provider answer: 64 MiB of body text. */
export const defaultMaxResponseBytes = 64 * 1024 * 1024

/**
 * The body of `response` as text, or null — the rest of the body cancelled unread — when it is longer
 * than `maxBytes`, so one answer can never take more memory than that. A `content-length` within the cap
 * is read in one go; a missing one is read chunk by chunk and counted.
 *
 * @example
 * const text = await readBoundedText(response, 64 * 1024 * 1024)
 * if (text === null) return { type: 'error', code: 'response_too_large', message: '…', retryable: false }
 */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string | null> {
  const declared = response.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBytes) {
      await response.body?.cancel().catch(() => undefined)
      return null
    }
    // Declared within the cap: a body longer than it declared is a broken answer, refused by fetch itself.
    return response.text()
  }
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    bytes += value.byteLength
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return null
    }
    text += decoder.decode(value, { stream: true })
  }
}
