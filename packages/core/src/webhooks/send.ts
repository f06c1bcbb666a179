import { webhookHeaders } from './signing.ts'

/** Most bytes of a response body read (for the delivery's `lastError`); the rest is never read. */
const maxBodyBytes = 1_024

/** What one attempt got: a 2xx, or why not. */
export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string }

/**
 * Sends one webhook: a signed POST with a timeout that never follows a redirect (a 3xx is a failed
 * attempt) and reads at most 1 KiB of the answer. Never throws.
 *
 * @example
 * const result = await sendWebhook(fetch, { url, secret }, event.id, body, 10_000, Date.now())
 */
export async function sendWebhook(
  fetcher: typeof fetch,
  endpoint: { url: string; secret: string },
  eventId: string,
  body: string,
  timeoutMs: number,
  now: number,
): Promise<SendResult> {
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const headers = await webhookHeaders(endpoint.secret, eventId, Math.floor(now / 1000), body)
    const response = await fetcher(endpoint.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal,
    })
    const text = await readBounded(response)
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status }
    const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''
    return { ok: false, status: response.status, error: `HTTP ${response.status}${redirect}: ${text}`.trim() }
  } catch (error) {
    const message = signal.aborted
      ? `no answer within ${timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error)
    return { ok: false, status: null, error: message }
  }
}

/** The first {@link maxBodyBytes} of a response body as text; the rest is cancelled unread. */
async function readBounded(response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (reader === undefined) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < maxBodyBytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  const bytes = new Uint8Array(Math.min(size, maxBodyBytes))
  let at = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at)
    bytes.set(part, at)
    at += part.length
    if (at === bytes.length) break
  }
  return new TextDecoder().decode(bytes)
}
